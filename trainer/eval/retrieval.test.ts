import { describe, expect, it } from 'vitest';
import { embeddingMatrix } from './matrix.ts';
import { type RetrievalScores, retrievalMetrics } from './retrieval.ts';

const column = (...values: number[]) => embeddingMatrix(values, 1);

/**
 * Separate query and reference sets on a line (values worked out by hand below).
 * Reference: r0=0 A, r1=1 B, r2=2 A, r3=3 B, r4=4 A, r5=10 C   (A=0, B=1, C=2; |A|=3, |B|=2)
 * Queries:   q0=0.5 A, q1=4.4 B, q2=2 D (D=3 is absent from the reference: lone), q3=10 A
 * k = max_bin_count = 3.
 *   q0: r0 and r1 tie at 0.5 -> r0 first (smaller index); neighbours r0 r1 r2 = A B A, hits 1 0 1, R=3
 *       P@1 1, RP 2/3, MAP@R (1 + 2/3)/3 = 5/9, MAP (1 + 2/3)/2 = 5/6, MRR 1
 *   q1: r4 r3 r2 = A B A, hits 0 1 0, R=2 (k=3 is larger than the class)
 *       P@1 0, RP 1/2, MAP@R (1/2)/2 = 1/4, MAP (1/2)/1 = 1/2, MRR 1/2
 *   q3: r5 r4 r3 = C A B, hits 0 1 0, R=3
 *       P@1 0, RP 1/3, MAP@R (1/2)/3 = 1/6, MAP 1/2, MRR 1/2
 */
const separate = {
  query: column(0.5, 4.4, 2, 10),
  queryLabels: [0, 1, 3, 0],
  reference: column(0, 1, 2, 3, 4, 10),
  referenceLabels: Int32Array.from([0, 1, 0, 1, 0, 2]),
};

function expectScores(actual: RetrievalScores, expected: Record<string, number>) {
  for (const [name, value] of Object.entries(expected)) {
    expect(actual[name as keyof RetrievalScores], name).toBeCloseTo(value, 12);
  }
}

describe('retrievalMetrics (PML AccuracyCalculator definitions)', () => {
  it('scores separate query and reference sets, leaving out lone queries', () => {
    const m = retrievalMetrics({ ...separate, recallAt: [1, 2] });
    expect(m.k).toBe(3);
    expect(m.queries).toBe(3);
    expect(m.loneLabels).toEqual([3]);
    expect(m.warnings).toEqual([]);
    expectScores(m.overall, {
      precision_at_1: 1 / 3,
      r_precision: (2 / 3 + 1 / 2 + 1 / 3) / 3,
      mean_average_precision_at_r: (5 / 9 + 1 / 4 + 1 / 6) / 3,
      mean_average_precision: (5 / 6 + 1 / 2 + 1 / 2) / 3,
      mean_reciprocal_rank: (1 + 1 / 2 + 1 / 2) / 3,
      recall_at_1: 1 / 3,
      recall_at_2: 1,
    });
    expect(m.perClass.map((c) => [c.label, c.queries, c.relevant])).toEqual([
      [0, 2, 3],
      [1, 1, 2],
    ]);
    expectScores(m.perClass[0].scores, {
      precision_at_1: 1 / 2,
      mean_average_precision_at_r: (5 / 9 + 1 / 6) / 2,
    });
    expectScores(m.perClass[1].scores, { precision_at_1: 0, mean_average_precision_at_r: 1 / 4 });
    // avg_of_avgs: each class counts once, whatever its number of queries.
    expectScores(m.classAveraged, {
      precision_at_1: (1 / 2 + 0) / 2,
      mean_average_precision_at_r: ((5 / 9 + 1 / 6) / 2 + 1 / 4) / 2,
      mean_average_precision: ((5 / 6 + 1 / 2) / 2 + 1 / 2) / 2,
      mean_reciprocal_rank: (3 / 4 + 1 / 2) / 2,
    });
  });

  it('truncates R-precision at a k below the largest class, and says so', () => {
    const m = retrievalMetrics({ ...separate, k: 1 });
    expect(m.k).toBe(1);
    expect(m.warnings[0]).toMatch(/k=1 is below the largest class \(3\)/);
    // Windows shrink to min(R, 1): q0 hit, q1 miss, q3 miss.
    expectScores(m.overall, {
      r_precision: 1 / 3,
      mean_average_precision_at_r: 1 / 3,
      precision_at_1: 1 / 3,
    });
  });

  it("retrieves the whole reference with k='all'", () => {
    const m = retrievalMetrics({ ...separate, k: 'all' });
    expect(m.k).toBe(6);
    // q1's full ranking r4 r3 r2 r1 r0 r5 = A B A B A C: hits at 2 and 4, so MAP = (1/2 + 2/4)/2.
    expectScores(m.perClass[1].scores, { mean_average_precision: 1 / 2, r_precision: 1 / 2 });
    // q0's full ranking r0 r1 r2 r3 r4 r5 = A B A B A C: hits at 1, 3, 5.
    // q3's full ranking r5 r4 r3 r2 r1 r0 = C A B A B A: hits at 2, 4, 6.
    expectScores(m.perClass[0].scores, {
      mean_average_precision: ((1 + 2 / 3 + 3 / 5) / 3 + (1 / 2 + 2 / 4 + 3 / 6) / 3) / 2,
    });
  });

  it('never lets a point retrieve itself when the reference is the query set', () => {
    // Points 0 0 | 1 1 | 2 L | 10 L | 10 L (duplicate) | 20 lone class 2. k = max_bin_count = 3 - 1 = 2.
    //   p0: p1 p2 -> hits 1 0 (R=1)   p1: p0 p2 (tie at 1, p0 first) -> 1 0 (R=1)
    //   p2: p1 p0 -> 0 0 (R=2)        p3: p4 p2 -> 1 1 (R=2)   p4: p3 p2 -> 1 1 (R=2)
    const points = column(0, 1, 2, 10, 10, 20);
    const m = retrievalMetrics({ query: points, queryLabels: [0, 0, 1, 1, 1, 2] });
    expect(m.k).toBe(2);
    expect(m.loneLabels).toEqual([2]);
    expect(m.queries).toBe(5);
    for (const name of [
      'precision_at_1',
      'r_precision',
      'mean_average_precision_at_r',
      'mean_average_precision',
    ] as const) {
      expect(m.overall[name]).toBeCloseTo(4 / 5, 12);
      expect(m.classAveraged[name]).toBeCloseTo((1 + 2 / 3) / 2, 12);
    }
  });

  it('treats a reference passed explicitly with refIncludesQuery like the shared set', () => {
    const points = column(0, 1, 2, 10, 10, 20);
    const labels = [0, 0, 1, 1, 1, 2];
    const shared = retrievalMetrics({ query: points, queryLabels: labels });
    const explicit = retrievalMetrics({
      query: points,
      queryLabels: labels,
      reference: points,
      referenceLabels: labels,
      refIncludesQuery: true,
    });
    expect(explicit).toEqual(shared);
  });

  it('scores a class with one member as lone, and all-lone queries as 0 like PML', () => {
    const points = column(0, 1, 2);
    const m = retrievalMetrics({ query: points, queryLabels: [0, 1, 2] });
    expect(m.queries).toBe(0);
    expect(m.loneLabels).toEqual([0, 1, 2]);
    expect(m.overall.precision_at_1).toBe(0);
    expect(m.perClass).toEqual([]);
  });

  it('ranks by cosine distance when asked', () => {
    // Directions: the query points along +x; by cosine, r1 (far but aligned) beats r0 (near but at 45 degrees).
    const query = embeddingMatrix([1, 0], 2);
    const reference = embeddingMatrix([1, 1, 9, 0], 2);
    const byCosine = retrievalMetrics({
      query,
      queryLabels: [7],
      reference,
      referenceLabels: [8, 7],
      distance: 'cosine',
    });
    const byEuclid = retrievalMetrics({ query, queryLabels: [7], reference, referenceLabels: [8, 7] });
    expect(byCosine.overall.precision_at_1).toBe(1);
    expect(byEuclid.overall.precision_at_1).toBe(0);
  });

  it('rejects labels that do not match the rows, and a reference without labels', () => {
    expect(() => retrievalMetrics({ query: column(0, 1), queryLabels: [0] })).toThrow(/labels/);
    expect(() =>
      retrievalMetrics({ query: column(0, 1), queryLabels: [0, 0], reference: column(1) }),
    ).toThrow(/referenceLabels/);
  });
});
