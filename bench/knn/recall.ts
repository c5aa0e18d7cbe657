import { knn } from '../../trainer/eval/knn.ts';
import type { EmbeddingMatrix } from '../../trainer/eval/matrix.ts';

/** Slack for float32 rounding: distances computed by different code differ in the last bits. */
const DISTANCE_EPSILON = 1e-6;

/**
 * The exact answer to grade contenders against: for each query, the cosine distance of its k-th exact
 * neighbour among `reference` rows (trainer/eval/knn.ts, float64 arithmetic).
 */
export function kthExactDistances(
  queries: EmbeddingMatrix,
  reference: EmbeddingMatrix,
  k: number,
): Float64Array {
  const exact = knn({ query: queries, reference, k, distance: 'cosine' });
  return Float64Array.from({ length: queries.rows }, (_, q) => exact.distances[q * exact.k + exact.k - 1]);
}

/**
 * recall@k as ann-benchmarks counts it: the share of k slots holding a row whose exact distance is at
 * most the k-th exact distance (plus rounding slack), so a tie broken differently is not a miss. `k` is
 * the number of neighbours that exist to be found (fewer than asked when the reference is smaller).
 */
export function recallAtK(
  found: ArrayLike<number>,
  query: Float32Array,
  reference: EmbeddingMatrix,
  kthDistance: number,
  k: number,
): number {
  let hits = 0;
  for (let i = 0; i < Math.min(found.length, k); i++) {
    if (cosineDistance(query, reference, found[i]) <= kthDistance + DISTANCE_EPSILON) hits++;
  }
  return hits / k;
}

function cosineDistance(query: Float32Array, reference: EmbeddingMatrix, row: number): number {
  const { data, dim } = reference;
  let dot = 0;
  let qq = 0;
  let rr = 0;
  for (let j = 0; j < dim; j++) {
    const r = data[row * dim + j];
    dot += query[j] * r;
    qq += query[j] * query[j];
    rr += r * r;
  }
  return 1 - dot / Math.sqrt(qq * rr);
}
