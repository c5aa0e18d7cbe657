import type { ExactScan } from '../../../shared/ann/exact-scan.ts';
import { readGraph, type StoredGraph } from '../../../shared/ann/graph-table.ts';
import { GraphWalk, walkBytes } from '../../../shared/ann/graph-walk.ts';
import { HnswSearcher, widestDegree } from '../../../shared/ann/hnsw-graph.ts';
import { Int8Codes, int8ScratchBytes } from '../../../shared/ann/int8-codes.ts';
import { align } from '../../../shared/ann/scan-kernel.ts';
import { unitRows } from '../../../shared/ann/unit-rows.ts';
import type { SqliteDatabase } from '../../../shared/db/better-sqlite.ts';
import { readVectors } from './vec0-vectors.ts';

/** A collection's stored graph with its unit vectors in memory, ready to search. */
export interface GraphSearch {
  /** The items.id of the k nearest items to `query` (any length; normalised here), best first, with cosine scores. */
  search(query: Float32Array, k: number, ef: number): { itemIds: Int32Array; scores: Float32Array };
}

/** The collection's graph with its own copy of the vectors, or undefined when its file has none. */
export function openGraphSearch(
  db: SqliteDatabase,
  collectionId: number,
  table: string,
  dims: number,
): GraphSearch | undefined {
  const stored = readGraph(db, collectionId);
  if (!stored) return undefined;
  const vectors = unitRows(readVectors(db, table, dims, stored.nodeItems), dims);
  // int8 codes where the kernel takes the dimension (a multiple of 16), float32 otherwise.
  const codes = dims % 16 === 0 ? Int8Codes.quantize(vectors, dims, widestDegree(stored.layers)) : undefined;
  return graphSearch(stored, dims, vectors, codes);
}

/** The room graphOverScan needs past an ExactScan's rows (its `extraBytes`). */
export function graphScratchBytes(stored: StoredGraph, dim: number): number {
  const rows = stored.nodeItems.length;
  return (
    align(int8ScratchBytes(dim, widestDegree(stored.layers))) +
    walkBytes(rows, stored.layers[0].degree, dim, true)
  );
}

/**
 * The graph over an exact scan of the same vectors (node n = the scan's row n), made with
 * graphScratchBytes of extra room. Where the dimension is the scan's stride (a multiple of 16) the search
 * reads the scan's unit vectors and int8 codes in place, so the two share one copy, and layer 0 is walked
 * in WebAssembly (graph-walk.ts); otherwise it walks float32 unit vectors of its own, made from `raw`.
 */
export function graphOverScan(
  stored: StoredGraph,
  scan: ExactScan,
  raw: Float32Array,
  kernel: WebAssembly.Module,
): GraphSearch {
  const { dim, memory, codesAt, stride, rows } = scan;
  if (stride !== dim) return graphSearch(stored, dim, unitRows(raw, dim));
  const widest = widestDegree(stored.layers);
  const codes = new Int8Codes(scan.int8Layout(scan.extraAt), dim, widest);
  const walkAt = scan.extraAt + align(int8ScratchBytes(dim, widest));
  const walkCodes = { memory, codesAt, scalesAt: scan.scales.byteOffset, stride, rows };
  const walk = new GraphWalk(kernel, walkCodes, stored.layers[0], walkAt);
  return graphSearch(stored, dim, scan.vectors, codes, walk);
}

function graphSearch(
  stored: StoredGraph,
  dim: number,
  vectors: Float32Array,
  codes?: Int8Codes,
  walk?: GraphWalk,
): GraphSearch {
  const graph = { dim, vectors, entry: stored.entry, layers: stored.layers };
  const searcher = new HnswSearcher(graph, codes, undefined, walk);
  return {
    search(query, k, ef) {
      const { nodes, scores } = searcher.knn(unitRows(query, dim), k, ef);
      return { itemIds: nodes.map((node) => stored.nodeItems[node]), scores };
    },
  };
}
