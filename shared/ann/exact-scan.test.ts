import { describe, expect, it } from 'vitest';
import { clusteredUnitVectors } from './clustered-vectors.ts';
import { ExactScan } from './exact-scan.ts';
import { loadScanKernel } from './scan-kernel/load-node.ts';

const module = loadScanKernel();
const CODES = ['float32', 'int8'] as const;

/** Brute force from the formula: cosine in float64, sorted by score then row, the filter applied first. */
function reference(
  vectors: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
  keep?: (r: number) => boolean,
) {
  const rows = vectors.length / dim;
  const norm = (v: ArrayLike<number>, at: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += v[at + j] * v[at + j];
    return Math.sqrt(s);
  };
  const qn = norm(query, 0);
  const scored: { row: number; score: number }[] = [];
  for (let r = 0; r < rows; r++) {
    if (keep && !keep(r)) continue;
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += query[j] * vectors[r * dim + j];
    const score = dot / (qn * norm(vectors, r * dim));
    if (!Number.isNaN(score)) scored.push({ row: r, score });
  }
  return scored.sort((a, b) => b.score - a.score || a.row - b.row).slice(0, k);
}

function bitmapOf(rows: number, keep: (r: number) => boolean): Uint8Array {
  const bitmap = new Uint8Array(Math.ceil(rows / 8));
  for (let r = 0; r < rows; r++) if (keep(r)) bitmap[r >> 3] |= 1 << (r & 7);
  return bitmap;
}

describe('ExactScan (WebAssembly SIMD kernel)', () => {
  it.each(CODES)('returns the exact top k with float32 scores (%s), for dims padded or not', (codes) => {
    for (const dim of [16, 37, 128]) {
      const rows = 700;
      const all = clusteredUnitVectors(rows + 5, dim, { clusters: 12, spread: 0.5, seed: dim });
      const vectors = all.subarray(0, rows * dim).map((x, i) => x * (1 + (i % 5)));
      const scan = new ExactScan(vectors, dim, { module, codes });
      for (let q = 0; q < 5; q++) {
        const query = all.slice((rows + q) * dim, (rows + q + 1) * dim);
        for (const k of [1, 10, 64]) {
          const want = reference(vectors, dim, query, k);
          const got = scan.search(query, k);
          expect(Array.from(got.rows)).toEqual(want.map((hit) => hit.row));
          want.forEach((hit, i) => expect(got.scores[i]).toBeCloseTo(hit.score, 5));
        }
      }
    }
  });

  it.each(CODES)('breaks ties toward the lower row (%s)', (codes) => {
    const dim = 16;
    // Rows 0..9 repeat one of three vectors: many exactly equal scores.
    const base = clusteredUnitVectors(3, dim, { clusters: 3, spread: 0.2, seed: 4 });
    const vectors = new Float32Array(30 * dim);
    for (let r = 0; r < 30; r++) vectors.set(base.subarray((r % 3) * dim, ((r % 3) + 1) * dim), r * dim);
    const scan = new ExactScan(vectors, dim, { module, codes });
    const query = base.slice(0, dim);
    for (const k of [1, 4, 11, 25]) {
      expect(Array.from(scan.search(query, k).rows)).toEqual(
        reference(vectors, dim, query, k).map((h) => h.row),
      );
    }
  });

  it.each(CODES)(
    'gives every row when k exceeds them, and applies a filter bitmap in the scan (%s)',
    (codes) => {
      const dim = 32;
      const rows = 203;
      const all = clusteredUnitVectors(rows + 1, dim, { clusters: 5, spread: 0.6, seed: 9 });
      const vectors = all.subarray(0, rows * dim);
      const query = all.slice(rows * dim);
      const scan = new ExactScan(vectors, dim, { module, codes });
      expect(scan.search(query, 500).rows).toHaveLength(rows);
      expect(Array.from(scan.search(query, 500).rows)).toEqual(
        reference(vectors, dim, query, 500).map((h) => h.row),
      );
      for (const keep of [(r: number) => r % 7 === 3, (r: number) => r > 190, () => false]) {
        const got = scan.search(query, 10, bitmapOf(rows, keep));
        expect(Array.from(got.rows)).toEqual(reference(vectors, dim, query, 10, keep).map((h) => h.row));
      }
      expect(() => scan.search(query, 10, new Uint8Array(3))).toThrow(RangeError);
    },
  );

  it.each(CODES)('rejects a NaN, infinite or zero query and never returns a NaN row (%s)', (codes) => {
    const dim = 16;
    const vectors = clusteredUnitVectors(40, dim, { clusters: 4, spread: 0.3, seed: 2 });
    vectors[5 * dim + 3] = Number.NaN;
    const scan = new ExactScan(vectors, dim, { module, codes });
    const query = vectors.slice(5 * dim, 6 * dim);
    expect(() => scan.search(query, 3)).toThrow(RangeError);
    expect(() => scan.search(new Float32Array(dim).fill(Number.POSITIVE_INFINITY), 3)).toThrow(RangeError);
    expect(() => scan.search(new Float32Array(dim), 3)).toThrow(RangeError);
    expect(() => scan.search(new Float32Array(dim - 1).fill(1), 3)).toThrow(RangeError);
    expect(() => scan.search(vectors.slice(0, dim), 0)).toThrow(RangeError);
    const all = scan.search(vectors.slice(0, dim), 100);
    expect(all.rows).toHaveLength(39);
    expect(Array.from(all.rows)).not.toContain(5);
  });
});
