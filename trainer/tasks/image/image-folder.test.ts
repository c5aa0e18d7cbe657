import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadImageFolderDataset } from './image-folder.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A flat grey PNG or an RGB JPEG of the given size. */
function png(width: number, height: number, value: number): Uint8Array {
  return encodePng({
    width,
    height,
    data: new Uint8Array(width * height).fill(value),
    channels: 1,
    depth: 8,
  });
}
function jpeg(width: number, height: number, value: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([value, value, value, 255], i * 4);
  return encodeJpeg({ width, height, data: rgba }, 100).data;
}

function folder(files: Record<string, Uint8Array | string>): string {
  const root = mkdtempSync(join(tmpdir(), 'image-folder-'));
  dirs.push(root);
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
  return root;
}

describe('loadImageFolderDataset', () => {
  it('reads one folder per class, in sorted order, resized to the model input', () => {
    const root = folder({
      'train/shoes/a.png': png(10, 20, 200),
      'train/shoes/b.JPG': jpeg(30, 30, 100),
      'train/bags/c.jpeg': jpeg(8, 8, 50),
      'train/bags/notes.txt': 'not an image',
      'test/bags/d.png': png(28, 28, 255),
    });
    const dataset = loadImageFolderDataset(root, { height: 4, width: 4 });
    expect(dataset.train.classNames).toEqual(['bags', 'shoes']);
    expect(Array.from(dataset.train.labels)).toEqual([0, 1, 1]);
    expect([dataset.train.height, dataset.train.width, dataset.train.count, dataset.test.count]).toEqual([
      4, 4, 3, 1,
    ]);
    // A flat square image stays flat; a tall one is centred on black: dark outer columns, symmetric.
    expect(Array.from(dataset.test.pixels)).toEqual(new Array(16).fill(255));
    const tall = Array.from(dataset.train.pixels.subarray(16, 32));
    for (let row = 0; row < 4; row++) {
      const [a, b, c, d] = tall.slice(row * 4, row * 4 + 4);
      expect([a, b]).toEqual([d, c]);
      expect(a).toBeLessThan(b);
    }
    expect(dataset.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names what is wrong with a folder', () => {
    expect(() =>
      loadImageFolderDataset(folder({ 'test/a/x.png': png(2, 2, 1) }), { height: 4, width: 4 }),
    ).toThrow(/needs train\/<class>\/ folders/);
    const unknown = folder({
      'train/a/x.png': png(2, 2, 1),
      'train/b/y.png': png(2, 2, 1),
      'test/c/z.png': png(2, 2, 1),
    });
    expect(() => loadImageFolderDataset(unknown, { height: 4, width: 4 })).toThrow(
      /classes missing from train: c/,
    );
    const broken = folder({
      'train/a/x.png': 'not a png',
      'train/b/y.png': png(2, 2, 1),
      'test/a/z.png': png(2, 2, 1),
    });
    expect(() => loadImageFolderDataset(broken, { height: 4, width: 4 })).toThrow(
      /x\.png: the image is neither PNG nor JPEG/,
    );
  });
});
