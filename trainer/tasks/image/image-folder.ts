import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { decodeImage } from '../../../shared/image/decode.ts';
import { padToSquare, resizeGrey } from '../../../shared/image/resize.ts';
import { type ImageSet, imageSet } from './image-set.ts';

/**
 * A generic image-folder dataset (torchvision's ImageFolder layout), one folder per class:
 *   <dir>/train/<class>/*.png|jpg|jpeg   and   <dir>/test/<class>/*.png|jpg|jpeg
 * Class names are the folder names, labels their index in sorted order (the same in both splits; a test
 * class missing from train is an error). Every image is decoded to grey, padded to a square and resized
 * to height x width exactly as the edge prepares query images (edge/image), then rounded to bytes.
 * Files are read in sorted order, so labels and the fingerprint are deterministic.
 */
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

export interface FolderDataset {
  dir: string;
  train: ImageSet;
  test: ImageSet;
  fingerprint: string;
}

export function loadImageFolderDataset(dir: string, size: { height: number; width: number }): FolderDataset {
  const trainDir = join(dir, 'train');
  if (!existsSync(trainDir))
    throw new Error(`${trainDir} does not exist: an image folder dataset needs train/<class>/ folders`);
  const classNames = subfolders(trainDir);
  if (classNames.length < 2)
    throw new Error(`${trainDir} holds ${classNames.length} class folders; at least 2 are needed`);
  const hash = createHash('sha256');
  const load = (split: 'train' | 'test'): ImageSet => {
    const splitDir = join(dir, split);
    if (!existsSync(splitDir)) throw new Error(`${splitDir} does not exist`);
    const unknown = subfolders(splitDir).filter((name) => !classNames.includes(name));
    if (unknown.length > 0)
      throw new Error(`${splitDir} has classes missing from train: ${unknown.join(', ')}`);
    const pixels: number[] = [];
    const labels: number[] = [];
    classNames.forEach((name, label) => {
      const classDir = join(splitDir, name);
      if (!existsSync(classDir)) return;
      for (const file of readdirSync(classDir).sort()) {
        if (!IMAGE_EXTENSIONS.has(extname(file).toLowerCase())) continue;
        const path = join(classDir, file);
        const bytes = readFileSync(path);
        hash.update(`${split}/${name}/${file}\n`).update(bytes);
        let image: ReturnType<typeof decodeImage>;
        try {
          image = decodeImage(bytes);
        } catch (error) {
          throw new Error(`${path}: ${(error as Error).message}`);
        }
        const resized = resizeGrey(padToSquare(image), size.width, size.height);
        for (const value of resized.pixels) pixels.push(Math.round(Math.min(255, Math.max(0, value))));
        labels.push(label);
      }
    });
    if (labels.length === 0) throw new Error(`${splitDir} holds no PNG or JPEG images`);
    return imageSet({
      pixels: Uint8Array.from(pixels),
      labels: Int32Array.from(labels),
      height: size.height,
      width: size.width,
      classNames,
    });
  };
  const train = load('train');
  const test = load('test');
  return { dir, train, test, fingerprint: hash.digest('hex') };
}

function subfolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isDirectory())
    .sort();
}
