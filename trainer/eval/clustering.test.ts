import { describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../../shared/random.ts';
import { clusteringMetrics } from './clustering.ts';
import { kMeans } from './kmeans.ts';
import { embeddingMatrix } from './matrix.ts';

/** `perClass` points around each of `centres` (2-D), with a little seeded noise. */
function blobs(centres: [number, number][], perClass: number, spread: number, seed: number) {
  const random = mulberry32(seed);
  const data: number[] = [];
  const labels: number[] = [];
  centres.forEach(([x, y], label) => {
    for (let i = 0; i < perClass; i++) {
      data.push(x + spread * gaussian(random), y + spread * gaussian(random));
      labels.push(label);
    }
  });
  return { embeddings: embeddingMatrix(data, 2), labels };
}

describe('kMeans', () => {
  it('finds well-separated clusters and their centres', () => {
    const { embeddings, labels } = blobs(
      [
        [0, 0],
        [10, 0],
        [0, 10],
      ],
      30,
      0.5,
      1,
    );
    const result = kMeans(embeddings, 3, { seed: 7 });
    expect(clusteringMetrics(embeddings, labels, 7).nmi).toBeCloseTo(1, 12);
    const centres = Array.from({ length: 3 }, (_, c) => [
      result.centroids[2 * c],
      result.centroids[2 * c + 1],
    ]);
    for (const [x, y] of [
      [0, 0],
      [10, 0],
      [0, 10],
    ]) {
      expect(centres.some(([cx, cy]) => Math.hypot(cx - x, cy - y) < 0.5)).toBe(true);
    }
  });

  it('is deterministic for a seed', () => {
    const { embeddings } = blobs(
      [
        [0, 0],
        [3, 0],
        [0, 3],
        [3, 3],
      ],
      20,
      1.5,
      2,
    );
    const a = kMeans(embeddings, 4, { seed: 3 });
    const b = kMeans(embeddings, 4, { seed: 3 });
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(a.inertia).toBe(b.inertia);
  });

  it('gives each point its own cluster when k = rows, and copes with fewer distinct points than k', () => {
    // Four distinct points, k = 4: every point must end in its own cluster.
    const distinct = kMeans(embeddingMatrix([0, 0, 0.1, 0, 5, 5, 5, 5.1], 2), 4, { seed: 0 });
    expect(new Set(distinct.assignments).size).toBe(4);
    expect(distinct.inertia).toBe(0);
    // Two distinct points, k = 3: no error, a perfect fit, every assignment a valid cluster.
    const repeated = kMeans(embeddingMatrix([0, 0, 0, 0, 0, 0, 5, 5], 2), 3, { seed: 0 });
    expect(repeated.inertia).toBe(0);
    expect(Array.from(repeated.assignments).every((c) => c >= 0 && c < 3)).toBe(true);
    expect(repeated.assignments[0]).toBe(repeated.assignments[1]);
    expect(repeated.assignments[3]).not.toBe(repeated.assignments[0]);
  });

  it('rejects k outside [1, rows]', () => {
    expect(() => kMeans(embeddingMatrix([0, 1], 1), 3, { seed: 0 })).toThrow(/k must be/);
  });
});

describe('clusteringMetrics', () => {
  it('clusters into as many groups as there are labels and scores the match', () => {
    const { embeddings, labels } = blobs(
      [
        [0, 0],
        [10, 0],
      ],
      10,
      0.5,
      4,
    );
    const noisyLabels = labels.map((l, i) => (i % 5 === 0 ? 1 - l : l)); // 4 of 20 labels flipped
    const result = clusteringMetrics(embeddings, noisyLabels, 0);
    expect(new Set(result.clusters).size).toBe(2);
    expect(result.nmi).toBeGreaterThan(0);
    expect(result.nmi).toBeLessThan(1);
    expect(result.ami).toBeLessThan(result.nmi);
  });
});
