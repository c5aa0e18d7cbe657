import { statSync } from 'node:fs';
import hnswlib from 'hnswlib-node';

/** hnswlib's own defaults (M 16, efConstruction 200), the settings a user starts from. */
export const HNSW_M = 16;
export const HNSW_EF_CONSTRUCTION = 200;

export interface HnswIndex {
  seconds: number;
  bytes: number;
  /** Row indices of the k nearest by cosine, best first, searching with `ef` candidates. */
  search(query: Float32Array, k: number, ef: number): number[];
}

/** Builds the graph in memory; `path` receives hnswlib's saved file so its size can be reported. */
export function buildHnsw(path: string, vectors: Float32Array, dim: number, seed: number): HnswIndex {
  const started = performance.now();
  const count = vectors.length / dim;
  const index = new hnswlib.HierarchicalNSW('cosine', dim);
  index.initIndex(count, HNSW_M, HNSW_EF_CONSTRUCTION, seed);
  for (let row = 0; row < count; row++)
    index.addPoint(Array.from(vectors.subarray(row * dim, (row + 1) * dim)), row);
  const seconds = (performance.now() - started) / 1000;
  index.writeIndexSync(path);
  return {
    seconds,
    bytes: statSync(path).size,
    search(query, k, ef) {
      index.setEf(ef);
      return index.searchKnn(Array.from(query), k).neighbors;
    },
  };
}
