import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx } from './idx.ts';
import { findIdxDir, loadIdxDataset } from './idx-dataset.ts';
import { SHAPE_CLASSES, syntheticShapes } from './synthetic-shapes.ts';

const FIXTURE = resolve(import.meta.dirname, '../../../test/fixtures/images/shapes');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  dirs.push(dir);
  return dir;
}

describe('IDX files', () => {
  const array = { dims: [2, 2, 3], data: Uint8Array.from([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]) };

  it('parses what encodeIdx writes, plain or gzipped', () => {
    const bytes = encodeIdx(array);
    // Magic: two zero bytes, type 0x08 (unsigned byte), rank 3; then big-endian dims.
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 0, 8, 3, 0, 0, 0, 2]);
    for (const file of [bytes, gzipSync(bytes)]) {
      const parsed = parseIdx(file);
      expect(parsed.dims).toEqual(array.dims);
      expect(Array.from(parsed.data)).toEqual(Array.from(array.data));
    }
  });

  it('names the problem in a malformed file', () => {
    const bytes = encodeIdx(array);
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'x.idx')).toThrow(
      /x\.idx: dims \[2, 2, 3\] need 12 values, the file has 11/,
    );
    const floats = bytes.slice();
    floats[2] = 0x0d;
    expect(() => parseIdx(floats)).toThrow(/type 0xd; only unsigned bytes/);
    expect(() => parseIdx(new TextEncoder().encode('hello'))).toThrow(/not an IDX file/);
  });
});

describe('IDX datasets', () => {
  it('ship the fixture the synthetic-shapes generator draws (test/fixtures/images/shapes)', () => {
    const dataset = loadIdxDataset(FIXTURE, SHAPE_CLASSES);
    const train = syntheticShapes({ perClass: 16, seed: 1 });
    const test = syntheticShapes({ perClass: 8, seed: 2 });
    const same = (a: ArrayBufferView, b: ArrayBufferView) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
        Buffer.from(b.buffer, b.byteOffset, b.byteLength),
      );
    expect(same(dataset.train.pixels, train.pixels)).toBe(true);
    expect(same(dataset.train.labels, train.labels)).toBe(true);
    expect(same(dataset.test.pixels, test.pixels)).toBe(true);
    expect([dataset.train.count, dataset.test.count, dataset.train.height, dataset.train.width]).toEqual([
      96, 48, 28, 28,
    ]);
    expect(dataset.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds the first folder holding a dataset and says where it looked otherwise', () => {
    const empty = tempDir();
    expect(findIdxDir([empty, FIXTURE])).toBe(FIXTURE);
    expect(() => findIdxDir([empty])).toThrow(new RegExp(`no IDX dataset found; looked for .* in ${empty}`));
  });

  it('refuses labels without a class name and images without labels', () => {
    const dir = tempDir();
    const write = (name: string, dims: number[], data: number[]) =>
      writeFileSync(join(dir, name), encodeIdx({ dims, data: Uint8Array.from(data) }));
    for (const split of ['train', 't10k']) {
      write(`${split}-images-idx3-ubyte`, [2, 1, 1], [0, 9]);
      write(`${split}-labels-idx1-ubyte`, [2], [0, 2]);
    }
    expect(() => loadIdxDataset(dir, ['a', 'b'])).toThrow(/label 2 has no class name/);
    write('train-labels-idx1-ubyte', [1], [0]);
    expect(() => loadIdxDataset(dir, ['a', 'b', 'c'])).toThrow(/are not N x H x W and N/);
  });
});
