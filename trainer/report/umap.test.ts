import { describe, expect, it } from 'vitest';
import { mapNeighbourAgreement, separatedClusters } from './test-fixture.ts';
import { umap2d } from './umap.ts';

describe('umap2d', () => {
  it('keeps separate clusters separate, and the same seed gives the same map', () => {
    const { x, labels } = separatedClusters();
    const map = umap2d(x, 3);
    expect(mapNeighbourAgreement(map, labels)).toBe(1);
    expect(Array.from(umap2d(x, 3))).toEqual(Array.from(map));
  });
});
