import { describe, expect, it } from 'vitest';
import { clusteredUnitVectors } from './clustered-vectors.ts';
import { dotAt } from './hnsw-graph.ts';
import { Int8Codes } from './int8-codes.ts';

/** The scheme written out: per-row symmetric int8 codes, dot of codes times both scales. */
function referenceScore(a: Float32Array, b: Float32Array): number {
  const quantize = (v: Float32Array) => {
    const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    return { codes: Array.from(v, (x) => Math.round((x * 127) / max)), scale: max / 127 };
  };
  const qa = quantize(a);
  const qb = quantize(b);
  const dot = qa.codes.reduce((sum, code, j) => sum + code * qb.codes[j], 0);
  return dot * qa.scale * qb.scale;
}

describe('Int8Codes (WebAssembly SIMD kernel)', () => {
  it.each([16, 48, 128])('scores rows exactly as the int8 scheme says, near the cosine (dim %i)', (dim) => {
    const count = 300;
    const all = clusteredUnitVectors(count + 1, dim, { clusters: 8, spread: 0.4, seed: dim });
    const vectors = all.subarray(0, count * dim);
    const query = all.subarray(count * dim);
    const codes = Int8Codes.quantize(vectors, dim, 40);
    codes.setQuery(query);
    const ids = Int32Array.from({ length: 40 }, (_, i) => (i * 53 + 7) % count);
    const out = new Float32Array(40);
    for (const batch of [1, 17, 40]) {
      codes.scoreRows(ids, batch, out);
      for (let i = 0; i < batch; i++) {
        const row = vectors.subarray(ids[i] * dim, (ids[i] + 1) * dim);
        expect(out[i]).toBeCloseTo(referenceScore(query, row), 5);
        expect(Math.abs(out[i] - dotAt(query, 0, row, 0, dim))).toBeLessThan(0.01);
      }
    }
  });

  it('takes extreme values without overflow: a row of one hot component scores its cosine', () => {
    const dim = 32;
    const vectors = new Float32Array(2 * dim);
    vectors.fill(1 / Math.sqrt(dim), 0, dim);
    vectors[dim] = -1;
    const codes = Int8Codes.quantize(vectors, dim, 2);
    codes.setQuery(vectors.slice(0, dim));
    const out = new Float32Array(2);
    codes.scoreRows(Int32Array.of(0, 1), 2, out);
    expect(out[0]).toBeCloseTo(1, 5);
    expect(out[1]).toBeCloseTo(-1 / Math.sqrt(dim), 5);
  });

  it('refuses a dimension the kernel cannot take and a batch larger than it was sized for', () => {
    expect(() => Int8Codes.quantize(new Float32Array(20), 10, 4)).toThrow(/multiple of 16/);
    const codes = Int8Codes.quantize(new Float32Array(64).fill(0.25), 16, 2);
    expect(() => codes.scoreRows(Int32Array.of(0, 1, 2), 3, new Float32Array(3))).toThrow(/at most 2 rows/);
  });
});
