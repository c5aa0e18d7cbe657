import { UMAP } from 'umap-js';
import { mulberry32 } from '../../shared/random.ts';
import { type EmbeddingMatrix, rowOf } from '../eval/matrix.ts';

/**
 * UMAP into 2-D with umap-js (McInnes et al., 2018), at its defaults (15 neighbours, min_dist 0.1,
 * Euclidean) except that its randomness is seeded, so the same embeddings always give the same map.
 * Returns [rows, 2] row-major.
 */
export function umap2d(x: EmbeddingMatrix, seed: number): Float64Array {
  const n = x.rows;
  // umap-js needs more points than neighbours; tiny sets get a trivial layout on a line.
  if (n < 4) return Float64Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? i / 2 : 0));
  const model = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, n - 1),
    minDist: 0.1,
    random: mulberry32(seed),
  });
  const vectors = Array.from({ length: n }, (_, i) => Array.from(rowOf(x, i)));
  return Float64Array.from(model.fit(vectors).flat());
}
