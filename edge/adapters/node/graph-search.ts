import { readGraph } from '../../../shared/ann/graph-table.ts';
import { HnswSearcher, widestDegree } from '../../../shared/ann/hnsw-graph.ts';
import { Int8Codes } from '../../../shared/ann/int8-codes.ts';
import { unitRows } from '../../../shared/ann/unit-rows.ts';
import type { SqliteDatabase } from '../../../shared/db/better-sqlite.ts';
import { readVectors } from './vec0-vectors.ts';

/** A collection's stored graph with its unit vectors in memory, ready to search. */
export interface GraphSearch {
  /** The items.id of the k nearest items to `query` (any length; normalised here), best first, with cosine scores. */
  search(query: Float32Array, k: number, ef: number): { itemIds: Int32Array; scores: Float32Array };
}

/** The collection's graph, or undefined when its file has none (small collections, files older than 0003). */
export function openGraphSearch(
  db: SqliteDatabase,
  collectionId: number,
  table: string,
  dims: number,
): GraphSearch | undefined {
  const stored = readGraph(db, collectionId);
  if (!stored) return undefined;
  const vectors = unitRows(readVectors(db, table, dims, stored.nodeItems), dims);
  const graph = { dim: dims, vectors, entry: stored.entry, layers: stored.layers };
  // int8 codes where the kernel takes the dimension (a multiple of 16), float32 otherwise.
  const codes = dims % 16 === 0 ? Int8Codes.quantize(vectors, dims, widestDegree(stored.layers)) : undefined;
  const searcher = new HnswSearcher(graph, codes);
  return {
    search(query, k, ef) {
      const { nodes, scores } = searcher.knn(unitRows(query, dims), k, ef);
      return { itemIds: nodes.map((node) => stored.nodeItems[node]), scores };
    },
  };
}
