import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { buildHnsw, type HnswParams } from '../../shared/ann/build-hnsw.ts';
import type { HnswGraph } from '../../shared/ann/hnsw-graph.ts';
import { encodeShard, strideOf } from '../../shared/ann/shard-file.ts';
import { writeFileAtomic } from '../../shared/artifacts/atomic-fs.ts';
import {
  type Sharding,
  ShardingSchema,
  WORKER_INDEX_FILE,
  type WorkerIndex,
  WorkerIndexSchema,
  type WorkerShard,
} from '../../shared/artifacts/worker-index.ts';
import type { MetadataColumn } from '../../shared/db/index-schema.ts';
import type { FileEntry } from '../../shared/manifest.ts';

/** Candidates a graph search keeps per shard: the Node server's default ef. */
export const WORKER_INDEX_EF = 64;

export interface WorkerIndexItem {
  id: string;
  text: string;
  metadata?: Record<string, unknown>;
}

export interface WriteWorkerIndexOptions {
  /** The folder that gets worker-index.json and the shard files (index.db's folder). */
  dir: string;
  collection: { name: string; description?: string; filterable: readonly MetadataColumn[] };
  model: { name: string; version: string; dim: number };
  /** Unit rows, row-major, in item order. */
  vectors: Float32Array;
  items: readonly WorkerIndexItem[];
  sharding?: Sharding;
  /** Graph settings; shards of fewer than minItems items get none (exact scans), as index.db does. */
  graph: false | (HnswParams & { minItems: number });
  /** The graph index.db got over all items: reused as is when there is one shard. */
  wholeGraph?: Pick<HnswGraph, 'entry' | 'layers'>;
  /** Called as each shard is written. */
  onShard?: (shard: number, shards: number, items: number) => void;
  onGraphProgress?: (shard: number, linked: number, total: number) => void;
}

/**
 * Writes the Workers build of a collection (shared/artifacts/worker-index.ts): the items split into
 * consecutive shards, each encoded (shared/ann/shard-file.ts) with its own search graph, files written
 * under temporary names and renamed, worker-index.json last. One shard with the whole collection's graph
 * searches exactly as the Node server does; more shards each get their own graph.
 */
export async function writeWorkerIndex(options: WriteWorkerIndexOptions): Promise<WorkerIndex> {
  const { dim } = options.model;
  const rows = options.vectors.length / dim;
  if (rows !== options.items.length) throw new Error(`${options.items.length} items for ${rows} vectors`);
  const count = shardCount(rows, dim, options);
  const shards: WorkerShard[] = [];
  for (let shard = 0; shard < count; shard++) {
    const first = Math.floor((shard * rows) / count);
    const end = Math.floor(((shard + 1) * rows) / count);
    const vectors = options.vectors.subarray(first * dim, end * dim);
    const items = options.items.slice(first, end);
    const graph = shardGraph(options, shard, count, vectors);
    const { bin, items: records } = encodeShard({
      dim,
      first,
      vectors,
      ...(graph ? { graph } : {}),
      records: items.map((item) =>
        JSON.stringify({ id: item.id, text: item.text, metadata: item.metadata ?? {} }),
      ),
      columns: options.collection.filterable.map((column) => ({
        name: column.name,
        type: column.type,
        values: items.map((item) => item.metadata?.[column.name] as number | string | boolean),
      })),
    });
    const base = `worker-${options.collection.name}-${String(shard).padStart(4, '0')}`;
    shards.push({
      first,
      items: end - first,
      bin: await writeEntry(options.dir, `${base}.bin`, bin),
      records: await writeEntry(options.dir, `${base}.items`, records),
    });
    options.onShard?.(shard, count, end - first);
  }
  const index = WorkerIndexSchema.parse({
    format: 1,
    collection: {
      name: options.collection.name,
      ...(options.collection.description === undefined
        ? {}
        : { description: options.collection.description }),
      model: options.model.name,
      model_version: options.model.version,
      dims: dim,
      items: rows,
      filterable: options.collection.filterable,
    },
    ef: WORKER_INDEX_EF,
    shards,
  });
  await writeFileAtomic(join(options.dir, WORKER_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}

/** Bytes per item of a shard binary: codes and residual codes, scales, offsets, links, filter columns. */
export function shardBytesPerItem(dim: number, m: number, filterable: number): number {
  // Layer 0 has 2m links per node; the layers above add about m links for 1/(m-1) of the nodes.
  return 2 * strideOf(dim) + 4 * 3 + 4 * (2 * m + 1) + (4 * (m + 1)) / Math.max(1, m - 1) + 8 * filterable;
}

function shardCount(rows: number, dim: number, options: WriteWorkerIndexOptions): number {
  const sharding = ShardingSchema.parse(options.sharding ?? {});
  if (sharding.shards !== undefined) {
    if (sharding.shards > Math.max(1, rows)) {
      throw new Error(`${sharding.shards} shards for ${rows} items: at most one shard per item`);
    }
    return sharding.shards;
  }
  if (sharding.shardBytes === undefined) return 1;
  const m = options.graph === false ? 0 : options.graph.m;
  const perItem = shardBytesPerItem(dim, m, options.collection.filterable.length);
  return Math.max(1, Math.ceil((rows * perItem) / sharding.shardBytes));
}

function shardGraph(options: WriteWorkerIndexOptions, shard: number, count: number, vectors: Float32Array) {
  const settings = options.graph;
  const rows = vectors.length / options.model.dim;
  if (settings === false || rows < settings.minItems) return undefined;
  const { minItems: _, ...params } = settings;
  if (count === 1 && options.wholeGraph) return { ...options.wholeGraph, params };
  const graph = buildHnsw(vectors, options.model.dim, params, (linked, total) =>
    options.onGraphProgress?.(shard, linked, total),
  );
  return { entry: graph.entry, layers: graph.layers, params };
}

async function writeEntry(dir: string, name: string, bytes: Uint8Array): Promise<FileEntry> {
  await writeFileAtomic(join(dir, name), bytes);
  return { path: name, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}
