import type { ImageConfig } from './config.ts';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DIRS, findIdxDir, loadIdxDataset } from './idx-dataset.ts';
import { loadImageFolderDataset } from './image-folder.ts';
import type { ImageSet } from './image-set.ts';

export interface ImageDataset {
  /** Where the images came from (a folder), for logs and the run record. */
  dir: string;
  train: ImageSet;
  test: ImageSet;
  fingerprint: string;
}

/** The dataset a config names: IDX files (Fashion-MNIST by default) or an image folder. */
export function loadImageDataset(config: ImageConfig): ImageDataset {
  const { data, model } = config;
  if (data.source === 'folder') return loadImageFolderDataset(data.dir, model);
  const dir = findIdxDir(data.dir ? [data.dir] : FASHION_MNIST_DIRS);
  const dataset = loadIdxDataset(dir, data.classNames ?? FASHION_MNIST_CLASSES);
  if (dataset.train.height !== model.height || dataset.train.width !== model.width) {
    throw new Error(
      `${dir} holds ${dataset.train.height}x${dataset.train.width} images but model takes ` +
        `${model.height}x${model.width}: set model.height and model.width to match`,
    );
  }
  return dataset;
}
