import { unitRows } from '../../shared/ann/unit-rows.ts';
import { TopK } from '../../trainer/eval/top-k.ts';

/**
 * Exact top-k by cosine over a Float32Array, the simplest contender: rows are normalised once, so a score
 * is one dot product; four accumulators let the CPU overlap the multiply-adds; a bounded heap keeps the k
 * best. Returns row indices, best first.
 */
export interface FlatIndex {
  search(query: Float32Array, k: number): Int32Array;
}

export function createFlatIndex(vectors: Float32Array, dim: number): FlatIndex {
  if (dim % 4 !== 0) throw new Error(`the flat scan unrolls by 4; dim ${dim} is not a multiple of 4`);
  const rows = vectors.length / dim;
  const unit = unitRows(vectors, dim);
  const query = new Float32Array(dim);
  return {
    search(input, k) {
      query.set(unitRows(input, dim));
      const heap = new TopK(k);
      for (let row = 0, offset = 0; row < rows; row++, offset += dim) {
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        for (let j = 0; j < dim; j += 4) {
          d0 += query[j] * unit[offset + j];
          d1 += query[j + 1] * unit[offset + j + 1];
          d2 += query[j + 2] * unit[offset + j + 2];
          d3 += query[j + 3] * unit[offset + j + 3];
        }
        // The heap keeps the smallest keys: negate the similarity.
        const key = -(d0 + d1 + (d2 + d3));
        if (key < heap.threshold) heap.offer(key, row);
      }
      const indices = new Int32Array(k);
      const count = heap.drainSorted(new Float64Array(k), indices);
      return indices.subarray(0, count);
    },
  };
}
