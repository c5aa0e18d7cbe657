/**
 * One layer of an HNSW graph as the index file stores it (hnsw-graph.ts searches it, graph-walk.ts walks
 * layer 0 with the SIMD kernel).
 */
export interface HnswLayer {
  /** Neighbour slots per node: 2m on layer 0, m above. */
  degree: number;
  /** The layer's node ids, ascending. */
  nodes: Int32Array;
  /** The i-th node's neighbours at [i * degree, (i + 1) * degree), padded with -1. */
  links: Int32Array;
}
