import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { knn } from './knn.ts';
import { embeddingMatrix, matrixFromRows } from './matrix.ts';

const column = (...values: number[]) => embeddingMatrix(values, 1);

describe('knn', () => {
  it('orders by Euclidean distance and breaks ties by the smaller reference index', () => {
    const result = knn({ query: column(2), reference: column(0, 1, 3, 3, 6), k: 4 });
    expect(Array.from(result.indices)).toEqual([1, 2, 3, 0]);
    expect(Array.from(result.distances)).toEqual([1, 1, 1, 2]);
  });

  it('reports progress after each block of queries, ending at the query count', () => {
    const points = column(...Array.from({ length: 20 }, (_, i) => i));
    const reports: [number, number][] = [];
    knn({ query: points, reference: points, k: 1, onProgress: (done, total) => reports.push([done, total]) });
    expect(reports).toEqual([
      [8, 20],
      [16, 20],
      [20, 20],
    ]);
  });

  it('excludes the query itself by index, even when another row is an exact duplicate', () => {
    const points = column(0, 5, 5, 9);
    const result = knn({ query: points, reference: points, k: 2, excludeSelf: true });
    expect(Array.from(result.indices)).toEqual([1, 2, 2, 3, 1, 3, 1, 2]);
    expect(Array.from(result.distances)).toEqual([5, 5, 0, 4, 0, 4, 4, 4]);
  });

  it('ranks by cosine distance 1 - cos, with a zero vector equally far (1) from everything', () => {
    const reference = matrixFromRows([
      [1, 0],
      [0, 1],
      [-1, 0],
      [1, 1],
    ]);
    const result = knn({
      query: matrixFromRows([
        [2, 0],
        [0, 0],
      ]),
      reference,
      k: 4,
      distance: 'cosine',
    });
    expect(Array.from(result.indices)).toEqual([0, 3, 1, 2, 0, 1, 2, 3]);
    const expected = [0, 1 - Math.SQRT1_2, 1, 2, 1, 1, 1, 1];
    result.distances.forEach((d, i) => {
      expect(d).toBeCloseTo(expected[i], 6);
    });
  });

  it('clamps k to the references available', () => {
    const points = column(0, 1, 2);
    expect(knn({ query: points, reference: points, k: 10, excludeSelf: true }).k).toBe(2);
    expect(knn({ query: column(0), reference: points, k: 10 }).k).toBe(3);
  });

  it('rejects NaN embeddings, mismatched dims and self-exclusion without a shared set', () => {
    expect(() => knn({ query: column(Number.NaN), reference: column(1), k: 1 })).toThrow(/NaN/);
    expect(() => knn({ query: embeddingMatrix([1, 2], 2), reference: column(1), k: 1 })).toThrow(/dim/);
    expect(() => knn({ query: column(1, 2), reference: column(1), k: 1, excludeSelf: true })).toThrow(
      /excludeSelf/,
    );
  });

  it('returns the k smallest distances, sorted, for any data, across the 8-query blocks and the remainder', () => {
    const small = fc.integer({ min: -3, max: 3 }); // small integers make exact ties common
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((dim) =>
          fc.record({
            dim: fc.constant(dim),
            queries: fc.array(fc.array(small, { minLength: dim, maxLength: dim }), {
              minLength: 1,
              maxLength: 19,
            }),
            references: fc.array(fc.array(small, { minLength: dim, maxLength: dim }), {
              minLength: 1,
              maxLength: 30,
            }),
            k: fc.integer({ min: 1, max: 12 }),
            distance: fc.constantFrom('euclidean' as const, 'cosine' as const),
          }),
        ),
        ({ queries, references, k, distance }) => {
          const result = knn({
            query: matrixFromRows(queries),
            reference: matrixFromRows(references),
            k,
            distance,
          });
          expect(result.k).toBe(Math.min(k, references.length));
          queries.forEach((q, i) => {
            const naive = references.map((r) => naiveDistance(q, r, distance));
            const picked = Array.from(result.indices.subarray(i * result.k, (i + 1) * result.k));
            const sorted = naive.map((d, j) => ({ d, j })).sort((a, b) => a.d - b.d || a.j - b.j);
            if (distance === 'euclidean') {
              // Integer data: distances are exact, so the order must be exactly (distance, index).
              expect(picked).toEqual(sorted.slice(0, result.k).map((e) => e.j));
            } else {
              // Cosine rounds, so tied directions may swap; the distances themselves must agree.
              expect(new Set(picked).size).toBe(picked.length);
              picked.forEach((j, n) => {
                expect(result.distances[i * result.k + n]).toBeCloseTo(naive[j], 6);
                expect(naive[j]).toBeCloseTo(sorted[n].d, 9);
              });
            }
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Distances computed the slow, obvious way (exact in float64 for small integers). */
function naiveDistance(q: number[], r: number[], distance: 'euclidean' | 'cosine'): number {
  const dot = q.reduce((s, x, t) => s + x * r[t], 0);
  if (distance === 'euclidean') return q.reduce((s, x, t) => s + (x - r[t]) ** 2, 0);
  const norms = Math.sqrt(q.reduce((s, x) => s + x * x, 0) * r.reduce((s, x) => s + x * x, 0));
  return norms === 0 ? 1 : 1 - dot / norms;
}
