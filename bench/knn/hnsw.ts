import hnswlib from 'hnswlib-node';
import type { BuildRecord } from './build-cache.ts';

/** hnswlib's own defaults (M 16, efConstruction 200), the settings a user starts from. */
export const HNSW_M = 16;
export const HNSW_EF_CONSTRUCTION = 200;

export interface HnswIndex {
  /** Row indices of the k nearest by cosine, best first, searching with `ef` candidates. */
  search(query: Float32Array, k: number, ef: number): number[];
}

/** Builds the graph over the rows and saves it to `path` (hnswlib's file): its size is the graph's. */
export function buildHnswFile(path: string, vectors: Float32Array, dim: number, seed: number): BuildRecord {
  const started = performance.now();
  const count = vectors.length / dim;
  const index = new hnswlib.HierarchicalNSW('cosine', dim);
  index.initIndex(count, HNSW_M, HNSW_EF_CONSTRUCTION, seed);
  for (let row = 0; row < count; row++)
    index.addPoint(Array.from(vectors.subarray(row * dim, (row + 1) * dim)), row);
  const seconds = (performance.now() - started) / 1000;
  index.writeIndexSync(path);
  return { seconds };
}

/** A saved graph, loaded for search. */
export function openHnsw(path: string, dim: number): HnswIndex {
  const index = new hnswlib.HierarchicalNSW('cosine', dim);
  index.readIndexSync(path);
  return {
    search(query, k, ef) {
      index.setEf(ef);
      return index.searchKnn(Array.from(query), k).neighbors;
    },
  };
}
