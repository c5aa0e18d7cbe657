import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.ts';
import { embeddingMatrix } from '../eval/matrix.ts';
import { mapNeighbourAgreement, separatedClusters } from './test-fixture.ts';
import { calibrateRow, tsne } from './tsne.ts';

describe('calibrateRow', () => {
  it('finds the Gaussian whose entropy is ln(perplexity)', () => {
    const random = mulberry32(2);
    const distances = Float64Array.from({ length: 50 }, () => 10 * random());
    const row = new Float64Array(50);
    calibrateRow(distances, 3, 7, row);
    expect(row[3]).toBe(0);
    expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    const entropy = -row.reduce((h, p) => (p > 0 ? h + p * Math.log(p) : h), 0);
    expect(entropy).toBeCloseTo(Math.log(7), 4);
  });
});

describe('tsne', () => {
  it('keeps separate clusters separate, deterministically', () => {
    const { x, labels } = separatedClusters();
    const map = tsne(x, { iterations: 300 });
    expect(map).toHaveLength(2 * labels.length);
    expect(map.every(Number.isFinite)).toBe(true);
    expect(mapNeighbourAgreement(map, labels)).toBe(1);
    expect(Array.from(tsne(x, { iterations: 300 }))).toEqual(Array.from(map));
  });

  it('handles a set too small to map', () => {
    expect(Array.from(tsne(embeddingMatrix([1, 2], 2)))).toEqual([0, 0]);
  });
});
