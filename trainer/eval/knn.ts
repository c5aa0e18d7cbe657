import { z } from 'zod';
import { type EmbeddingMatrix, squaredRowNorms } from './matrix.ts';
import { TopK } from './top-k.ts';

export const KnnDistanceSchema = z.enum(['euclidean', 'cosine']);
/** 'euclidean' on the embeddings as given (PML's default), or 'cosine' distance 1 - cos(q, r). */
export type KnnDistance = z.infer<typeof KnnDistanceSchema>;

export interface KnnOptions {
  query: EmbeddingMatrix;
  reference: EmbeddingMatrix;
  /** Neighbours per query; clamped to the number of references available. */
  k: number;
  distance?: KnnDistance;
  /**
   * Query row i is reference row i (the query set is the reference set, or a prefix of it): reference i
   * is never returned for query i. This is PML's `ref_includes_query` self-removal, by index.
   */
  excludeSelf?: boolean;
  /** Called after each block of queries with the count done: a large set takes tens of seconds. */
  onProgress?: (done: number, total: number) => void;
}

export interface KnnResult {
  /** Neighbours per query actually returned. */
  k: number;
  /** [query rows, k] reference indices, nearest first. */
  indices: Int32Array;
  /** [query rows, k] distances: Euclidean (not squared) or 1 - cosine similarity. */
  distances: Float32Array;
}

/** Queries scored together against each reference row, to reuse every loaded reference value 8 times. */
const QUERY_BLOCK = 8;

/**
 * Exact k nearest neighbours by brute force, in blocks of 8 queries against all references, so memory is
 * O(8 x references + queries x k) and never the full distance matrix.
 *
 * Ranking uses dot products and precomputed norms: Euclidean ranks by |r|^2 - 2 q.r, cosine by
 * -q.r / (|q||r|) (a zero vector has similarity 0 with everything). Ties are broken by the smaller
 * reference index, so results are deterministic. Arithmetic is float64 over float32 inputs.
 */
export function knn(options: KnnOptions): KnnResult {
  const { query, reference, excludeSelf = false } = options;
  const distance = KnnDistanceSchema.parse(options.distance ?? 'euclidean');
  if (query.dim !== reference.dim)
    throw new Error(`query dim ${query.dim} != reference dim ${reference.dim}`);
  if (excludeSelf && query.rows > reference.rows) {
    throw new Error(
      'excludeSelf needs query row i to be reference row i, but there are more queries than references',
    );
  }
  if (!Number.isInteger(options.k) || options.k < 0)
    throw new Error(`k must be a non-negative integer, got ${options.k}`);
  const k = Math.min(options.k, reference.rows - (excludeSelf ? 1 : 0));
  const indices = new Int32Array(query.rows * k);
  const distances = new Float32Array(query.rows * k);
  if (k === 0) return { k, indices, distances };

  const queryNorms = finiteNorms(query, 'query');
  const referenceNorms = finiteNorms(reference, 'reference');
  const referenceInverseNorms = referenceNorms.map(inverseSqrt);
  const dots = new Float64Array(QUERY_BLOCK * reference.rows);
  const heap = new TopK(k);
  const sortedKeys = new Float64Array(k);
  const sortedIndices = new Int32Array(k);

  for (let start = 0; start < query.rows; start += QUERY_BLOCK) {
    const count = Math.min(QUERY_BLOCK, query.rows - start);
    if (count === QUERY_BLOCK) dotBlockOf8(query, start, reference, dots);
    else for (let b = 0; b < count; b++) dotOne(query, start + b, reference, dots, b * reference.rows);

    for (let b = 0; b < count; b++) {
      const q = start + b;
      const offset = b * reference.rows;
      const self = excludeSelf ? q : -1;
      const queryInverseNorm = inverseSqrt(queryNorms[q]);
      heap.reset();
      for (let j = 0; j < reference.rows; j++) {
        if (j === self) continue;
        const key =
          distance === 'euclidean'
            ? referenceNorms[j] - 2 * dots[offset + j]
            : -dots[offset + j] * referenceInverseNorms[j] * queryInverseNorm;
        // References arrive in index order, so an equal key never displaces a kept (smaller) index.
        if (key < heap.threshold) heap.offer(key, j);
      }
      heap.drainSorted(sortedKeys, sortedIndices);
      indices.set(sortedIndices, q * k);
      for (let n = 0; n < k; n++) {
        distances[q * k + n] =
          distance === 'euclidean'
            ? Math.sqrt(Math.max(0, queryNorms[q] + sortedKeys[n]))
            : 1 + sortedKeys[n];
      }
    }
    options.onProgress?.(start + count, query.rows);
  }
  return { k, indices, distances };
}

/** Squared row norms; a NaN or infinite value anywhere in a row makes its norm non-finite, caught here. */
function finiteNorms(matrix: EmbeddingMatrix, what: string): Float64Array {
  const norms = squaredRowNorms(matrix);
  const bad = norms.findIndex((n) => !Number.isFinite(n));
  if (bad >= 0) throw new Error(`${what} row ${bad} has a NaN or infinite value`);
  return norms;
}

function inverseSqrt(squaredNorm: number): number {
  return squaredNorm > 0 ? 1 / Math.sqrt(squaredNorm) : 0;
}

/** dots[b * rows + j] = query[start + b] . reference[j] for b < 8: eight accumulators per reference row. */
function dotBlockOf8(
  query: EmbeddingMatrix,
  start: number,
  reference: EmbeddingMatrix,
  dots: Float64Array,
): void {
  const q = query.data;
  const r = reference.data;
  const { dim } = query;
  const rows = reference.rows;
  const q0 = start * dim;
  const [q1, q2, q3, q4, q5, q6, q7] = [1, 2, 3, 4, 5, 6, 7].map((b) => q0 + b * dim);
  for (let j = 0; j < rows; j++) {
    const rj = j * dim;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    let d4 = 0;
    let d5 = 0;
    let d6 = 0;
    let d7 = 0;
    for (let t = 0; t < dim; t++) {
      const x = r[rj + t];
      d0 += q[q0 + t] * x;
      d1 += q[q1 + t] * x;
      d2 += q[q2 + t] * x;
      d3 += q[q3 + t] * x;
      d4 += q[q4 + t] * x;
      d5 += q[q5 + t] * x;
      d6 += q[q6 + t] * x;
      d7 += q[q7 + t] * x;
    }
    dots[j] = d0;
    dots[rows + j] = d1;
    dots[2 * rows + j] = d2;
    dots[3 * rows + j] = d3;
    dots[4 * rows + j] = d4;
    dots[5 * rows + j] = d5;
    dots[6 * rows + j] = d6;
    dots[7 * rows + j] = d7;
  }
}

function dotOne(
  query: EmbeddingMatrix,
  i: number,
  reference: EmbeddingMatrix,
  dots: Float64Array,
  offset: number,
): void {
  const q = query.data;
  const r = reference.data;
  const { dim } = query;
  const qi = i * dim;
  for (let j = 0; j < reference.rows; j++) {
    const rj = j * dim;
    let d = 0;
    for (let t = 0; t < dim; t++) d += q[qi + t] * r[rj + t];
    dots[offset + j] = d;
  }
}
