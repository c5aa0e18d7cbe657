import { z } from 'zod';
import type { SqliteDatabase } from '../db/better-sqlite.ts';
import { type HnswParams, HnswParamsSchema } from './build-hnsw.ts';
import type { HnswGraph } from './hnsw-graph.ts';
import type { HnswLayer } from './hnsw-layer.ts';

/**
 * A collection's search graph in its index database (migrations/0003_ann_graphs.sql): the builder writes
 * it, the Node adapter reads it. Arrays are stored as little-endian int32 blobs.
 */
export interface StoredGraph {
  params: HnswParams;
  entry: number;
  /** items.id of node n at [n]. */
  nodeItems: Int32Array;
  layers: HnswLayer[];
}

const GraphRowSchema = z.object({
  method: z.literal('hnsw'),
  params: z.string(),
  entry_node: z.number().int().nonnegative(),
  node_items: z.instanceof(Buffer),
});
const LayerRowSchema = z.object({
  level: z.number().int().nonnegative(),
  degree: z.number().int().positive(),
  nodes: z.instanceof(Buffer),
  links: z.instanceof(Buffer),
});

export function writeGraph(
  db: SqliteDatabase,
  collectionId: number,
  graph: Pick<HnswGraph, 'entry' | 'layers'>,
  params: HnswParams,
  nodeItems: Int32Array,
): void {
  db.prepare(
    "INSERT INTO ann_graphs (collection_id, method, params, entry_node, node_items) VALUES (?, 'hnsw', ?, ?, ?)",
  ).run(BigInt(collectionId), JSON.stringify(params), BigInt(graph.entry), int32Blob(nodeItems));
  const insertLayer = db.prepare(
    'INSERT INTO ann_graph_layers (collection_id, level, degree, nodes, links) VALUES (?, ?, ?, ?, ?)',
  );
  graph.layers.forEach((layer, level) => {
    insertLayer.run(
      BigInt(collectionId),
      BigInt(level),
      BigInt(layer.degree),
      int32Blob(layer.nodes),
      int32Blob(layer.links),
    );
  });
}

/** The collection's graph, or undefined when it has none (small collections; files older than 0003). */
export function readGraph(db: SqliteDatabase, collectionId: number): StoredGraph | undefined {
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'ann_graphs'")
    .get();
  if (!hasTable) return undefined;
  const raw = db
    .prepare('SELECT method, params, entry_node, node_items FROM ann_graphs WHERE collection_id = ?')
    .get(BigInt(collectionId));
  if (raw === undefined) return undefined;
  const row = GraphRowSchema.parse(raw);
  const layers = z
    .array(LayerRowSchema)
    .parse(
      db
        .prepare(
          'SELECT level, degree, nodes, links FROM ann_graph_layers WHERE collection_id = ? ORDER BY level',
        )
        .all(BigInt(collectionId)),
    )
    .map((layer, i) => {
      if (layer.level !== i) throw new Error(`graph of collection ${collectionId} lacks layer ${i}`);
      const nodes = int32Array(layer.nodes);
      const links = int32Array(layer.links);
      if (links.length !== nodes.length * layer.degree) {
        throw new Error(`graph of collection ${collectionId}: layer ${i} has a truncated link list`);
      }
      return { degree: layer.degree, nodes, links };
    });
  const nodeItems = int32Array(row.node_items);
  if (
    layers.length === 0 ||
    layers[0].nodes.length !== nodeItems.length ||
    row.entry_node >= nodeItems.length
  ) {
    throw new Error(`graph of collection ${collectionId} does not match its node list`);
  }
  return { params: HnswParamsSchema.parse(JSON.parse(row.params)), entry: row.entry_node, nodeItems, layers };
}

function int32Blob(values: Int32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** Copied: a Buffer from SQLite need not be 4-byte aligned. */
function int32Array(blob: Buffer): Int32Array {
  if (blob.byteLength % 4 !== 0) throw new Error(`an int32 blob of ${blob.byteLength} bytes`);
  return new Int32Array(new Uint8Array(blob).buffer);
}
