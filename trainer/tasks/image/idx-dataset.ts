import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseIdx } from './idx.ts';
import { type ImageSet, imageSet } from './image-set.ts';

/**
 * A folder in the layout of MNIST and Fashion-MNIST: train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally gzipped (.gz).
 */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** Where Fashion-MNIST is looked for when a config names no folder: beside the project, then Debian's package. */
export const FASHION_MNIST_DIRS = ['../shared/datasets/fashion-mnist', '/usr/share/datasets/fashion-mnist'];

export interface IdxDataset {
  dir: string;
  train: ImageSet;
  test: ImageSet;
  /** sha256 over the four files' bytes, in a fixed order. */
  fingerprint: string;
}

const SPLITS = { train: 'train', test: 't10k' } as const;

/** The first of `candidates` that holds an IDX dataset, resolved from `cwd`; an error lists where it looked. */
export function findIdxDir(candidates: readonly string[], cwd = process.cwd()): string {
  const dirs = candidates.map((dir) => resolve(cwd, dir));
  const found = dirs.find((dir) => existsSync(idxFile(dir, 'train', 'images')));
  if (found) return found;
  throw new Error(
    `no IDX dataset found; looked for train-images-idx3-ubyte(.gz) in ${dirs.join(', ')}. ` +
      'Fashion-MNIST: put the four files in ../shared/datasets/fashion-mnist, install the Debian package ' +
      'dataset-fashion-mnist, or set data.dir in the config.',
  );
}

function idxFile(dir: string, split: keyof typeof SPLITS, kind: 'images' | 'labels'): string {
  const base = join(dir, `${SPLITS[split]}-${kind}-idx${kind === 'images' ? 3 : 1}-ubyte`);
  return existsSync(`${base}.gz`) ? `${base}.gz` : base;
}

export function loadIdxDataset(dir: string, classNames: readonly string[]): IdxDataset {
  const hash = createHash('sha256');
  const load = (split: keyof typeof SPLITS): ImageSet => {
    const read = (kind: 'images' | 'labels') => {
      const path = idxFile(dir, split, kind);
      if (!existsSync(path)) throw new Error(`${path} (or ${path}.gz) does not exist`);
      const bytes = readFileSync(path);
      hash.update(bytes);
      return parseIdx(bytes, path);
    };
    const images = read('images');
    const labels = read('labels');
    if (images.dims.length !== 3 || labels.dims.length !== 1 || images.dims[0] !== labels.dims[0]) {
      throw new Error(
        `${dir}: ${split} images [${images.dims}] and labels [${labels.dims}] are not N x H x W and N`,
      );
    }
    const [, height, width] = images.dims;
    try {
      return imageSet({
        pixels: images.data,
        labels: Int32Array.from(labels.data),
        height,
        width,
        classNames,
      });
    } catch (error) {
      throw new Error(`${idxFile(dir, split, 'labels')}: ${(error as Error).message}`);
    }
  };
  const train = load('train');
  const test = load('test');
  return { dir, train, test, fingerprint: hash.digest('hex') };
}
