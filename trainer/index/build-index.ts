import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { buildHnsw, HnswParamsSchema } from '../../shared/ann/build-hnsw.ts';
import { writeGraph } from '../../shared/ann/graph-table.ts';
import type { HnswGraph } from '../../shared/ann/hnsw-graph.ts';
import { unitRows } from '../../shared/ann/unit-rows.ts';
import { fsyncPath, removeDeadTemps, tempSibling } from '../../shared/artifacts/atomic-fs.ts';
import { ShardingSchema } from '../../shared/artifacts/worker-index.ts';
import {
  migrationDatabase,
  openVecDatabase,
  type SqliteDatabase,
  vectorBlob,
} from '../../shared/db/better-sqlite.ts';
import {
  createVecTableSql,
  type MetadataColumn,
  MetadataColumnSchema,
  vecTableName,
  vectorProblem,
} from '../../shared/db/index-schema.ts';
import { migrate } from '../../shared/db/migrator.ts';
import { readMigrations } from '../../shared/db/read-migrations.ts';
import { CollectionLabelsSchema, ModelNameSchema, VersionSchema } from '../../shared/manifest.ts';
import { type WorkerIndexItem, writeWorkerIndex } from './worker-index.ts';

/** Rows per write transaction: large enough to amortise commits, small enough to bound memory. */
const ROWS_PER_TRANSACTION = 4096;

/** Below this many items an exact scan takes about as long as a graph search: no graph is built. */
const GRAPH_MIN_ITEMS = 5000;

/** The collection's search graph (shared/ann/); `false` builds none, so every search is exact. */
const GraphSettingsSchema = z.union([
  z.literal(false),
  HnswParamsSchema.extend({ minItems: z.number().int().min(2).default(GRAPH_MIN_ITEMS) }),
]);

export const IndexItemSchema = z
  .object({
    id: z.string().min(1),
    text: z.string(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type IndexItem = z.infer<typeof IndexItemSchema>;

const BuildSettingsSchema = z.object({
  path: z.string().min(1),
  collection: z
    .object({
      name: ModelNameSchema,
      description: z.string().optional(),
      /** Metadata fields queries can filter on (vec0 metadata columns); every item must carry them. */
      filterable: z.array(MetadataColumnSchema).default([]),
    })
    .strict(),
  model: z
    .object({ name: ModelNameSchema, version: VersionSchema, dim: z.number().int().positive() })
    .strict(),
  batchSize: z.number().int().min(1).max(ROWS_PER_TRANSACTION).default(256),
  graph: GraphSettingsSchema.prefault({}),
  /**
   * Also write the Workers build of the index beside it (worker-index.json and its shard files, see
   * worker-index.ts), split by a shard count or a byte budget per shard; false (the default) writes none.
   */
  worker: z.union([z.literal(false), ShardingSchema]).default(false),
});

export type BuildIndexOptions = z.input<typeof BuildSettingsSchema> & {
  items: Iterable<IndexItem> | AsyncIterable<IndexItem>;
  /**
   * Embeds a batch: pass the ONNX embedder the edge serves, so the index and queries agree. Text models
   * embed the texts; other inputs (images) are found from the items themselves.
   */
  embed: (texts: string[], items: IndexItem[]) => Promise<Float32Array[]>;
  /** Called after each batch; `total` is known when `items` is an array. */
  onProgress?: (done: number, total?: number) => void;
  /** Called as the search graph links its nodes (it takes minutes for a large collection). */
  onGraphProgress?: (linked: number, total: number) => void;
  /** Called as each shard of the Workers index is written. */
  onWorkerShard?: (shard: number, shards: number, items: number) => void;
};

/** What the index stage records in the run's index.json (a task may add fields). */
export const BuildIndexStatsSchema = z.object({
  path: z.string(),
  items: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
  /** Time spent building the search graph, included in `seconds`; absent when none was built. */
  graphSeconds: z.number().nonnegative().optional(),
  /** A labelled collection's classes (trainer/index/labelled-collection.ts), added by the index stage. */
  labels: CollectionLabelsSchema.optional(),
});
export type BuildIndexStats = z.infer<typeof BuildIndexStatsSchema>;

/**
 * Builds an index database with one collection: embeds the items in batches and stores their text,
 * metadata and vectors. The file is written under a temporary name in the same folder, flushed, then
 * renamed to `path`, so `path` is either absent (or its previous version) or complete. Ids must be unique,
 * and every vector must have the model's dim, finite values and a non-zero norm. A collection of at least
 * `graph.minItems` items also gets its search graph (deterministic: the same items give the same file).
 */
export async function buildIndex(options: BuildIndexOptions): Promise<BuildIndexStats> {
  const started = performance.now();
  const settings = BuildSettingsSchema.parse(options);
  await mkdir(dirname(settings.path), { recursive: true });
  await removeDeadTemps(settings.path);
  const temp = tempSibling(settings.path);

  let db: SqliteDatabase | undefined;
  try {
    db = openVecDatabase(temp, { readonly: false });
    // The temporary file is discarded on any failure, so the build needs no on-disk journal or syncs; the
    // file is flushed once before the rename and switched to the default journal for its readers.
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = ON');
    await migrate(migrationDatabase(db), readMigrations());

    const collectionId = createCollection(db, settings);
    const inserted = await insertItems(db, collectionId, settings, options);
    const { items, rowids } = inserted;
    const unit = inserted.vectors.length > 0 ? unitMatrix(inserted.vectors, settings.model.dim) : undefined;
    const stored = unit
      ? storeGraph(db, collectionId, settings, rowids, unit, options.onGraphProgress)
      : undefined;
    const graphSeconds = stored?.seconds;
    if (settings.worker !== false && unit) {
      await writeWorkerIndex({
        dir: dirname(settings.path),
        collection: { ...settings.collection },
        model: settings.model,
        vectors: unit,
        items: inserted.records,
        sharding: settings.worker,
        graph: settings.graph,
        ...(stored ? { wholeGraph: stored.graph } : {}),
        ...(options.onWorkerShard ? { onShard: options.onWorkerShard } : {}),
      });
    }

    db.prepare('UPDATE collections SET items = ? WHERE id = ?').run(BigInt(items), BigInt(collectionId));
    db.exec('ANALYZE');
    db.pragma('journal_mode = DELETE');
    db.exec('VACUUM');
    db.close();
    db = undefined;

    await fsyncPath(temp);
    await rename(temp, settings.path);
    await fsyncPath(dirname(settings.path));
    const { size } = await stat(settings.path);
    const seconds = (performance.now() - started) / 1000;
    return {
      path: settings.path,
      items,
      bytes: size,
      seconds,
      ...(graphSeconds === undefined ? {} : { graphSeconds }),
    };
  } catch (error) {
    db?.close();
    await Promise.all([temp, `${temp}-journal`].map((file) => rm(file, { force: true })));
    throw error;
  }
}

type BuildSettings = z.infer<typeof BuildSettingsSchema>;

function createCollection(db: SqliteDatabase, settings: BuildSettings): number {
  const now = new Date().toISOString();
  const { collection, model } = settings;
  db.prepare(
    `INSERT INTO models (name, version, dims, status, created_at, updated_at) VALUES (?, ?, ?, 'candidate', ?, ?)`,
  ).run(model.name, model.version, BigInt(model.dim), now, now);
  const { lastInsertRowid } = db
    .prepare(
      `INSERT INTO collections (name, description, model_name, model_version, dims, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .run(collection.name, collection.description ?? null, model.name, model.version, BigInt(model.dim), now);
  const collectionId = Number(lastInsertRowid);
  db.exec(createVecTableSql(collectionId, model.dim, collection.filterable));
  return collectionId;
}

interface PendingRow {
  item: IndexItem;
  vector: Float32Array;
}

interface InsertedRows {
  items: number;
  /** items.id and vector of every row, in insertion order, when a graph or a Workers index may be built. */
  rowids: number[];
  vectors: Float32Array[];
  /** The items themselves, in the same order, when a Workers index is built; else empty. */
  records: WorkerIndexItem[];
}

/** The rows as one row-major matrix of unit vectors. */
function unitMatrix(rows: readonly Float32Array[], dim: number): Float32Array {
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => vectors.set(row, i * dim));
  return unitRows(vectors, dim);
}

/** Builds and writes the collection's graph when it is large enough; returns it and the seconds it took. */
function storeGraph(
  db: SqliteDatabase,
  collectionId: number,
  settings: BuildSettings,
  rowids: readonly number[],
  vectors: Float32Array,
  onProgress: BuildIndexOptions['onGraphProgress'],
): { graph: HnswGraph; seconds: number } | undefined {
  const { graph: graphSettings, model } = settings;
  if (graphSettings === false || rowids.length < graphSettings.minItems) return undefined;
  const started = performance.now();
  const { minItems: _, ...params } = graphSettings;
  const graph = buildHnsw(vectors, model.dim, params, onProgress);
  writeGraph(db, collectionId, graph, params, Int32Array.from(rowids));
  return { graph, seconds: (performance.now() - started) / 1000 };
}

async function insertItems(
  db: SqliteDatabase,
  collectionId: number,
  settings: BuildSettings,
  options: BuildIndexOptions,
): Promise<InsertedRows> {
  const keepItems = settings.worker !== false;
  const keepRows = settings.graph !== false || keepItems;
  const rowids: number[] = [];
  const vectors: Float32Array[] = [];
  const records: WorkerIndexItem[] = [];
  const insertItem = db.prepare(
    'INSERT INTO items (collection_id, external_id, text, metadata) VALUES (?, ?, ?, ?)',
  );
  const filterable = settings.collection.filterable;
  const insertVector = db.prepare(
    `INSERT INTO ${vecTableName(collectionId)} (${['rowid', 'embedding', ...filterable.map((c) => c.name)].join(', ')})
     VALUES (${['?', '?', ...filterable.map(() => '?')].join(', ')})`,
  );
  const writeRows = db.transaction((rows: PendingRow[]) => {
    for (const { item, vector } of rows) {
      const { lastInsertRowid } = insertItem.run(
        BigInt(collectionId),
        item.id,
        item.text,
        JSON.stringify(item.metadata ?? {}),
      );
      // vec0 accepts only integer rowids, and better-sqlite3 binds JS numbers as REAL.
      insertVector.run(
        BigInt(lastInsertRowid),
        vectorBlob(vector),
        ...filterable.map((column) => metadataValue(item, column)),
      );
      if (keepRows) {
        rowids.push(Number(lastInsertRowid));
        vectors.push(vector);
      }
      if (keepItems) records.push(item);
    }
  });

  const total = Array.isArray(options.items) ? options.items.length : undefined;
  const seen = new Set<string>();
  let pending: PendingRow[] = [];
  let batch: IndexItem[] = [];
  let done = 0;

  const embedBatch = async () => {
    const vectors = await options.embed(
      batch.map((item) => item.text),
      batch,
    );
    if (vectors.length !== batch.length) {
      throw new Error(`embed returned ${vectors.length} vectors for ${batch.length} texts`);
    }
    vectors.forEach((vector, i) => {
      const problem = vectorProblem(vector, settings.model.dim);
      if (problem) throw new Error(`the embedding of item ${JSON.stringify(batch[i].id)} ${problem}`);
      pending.push({ item: batch[i], vector });
    });
    done += batch.length;
    batch = [];
    if (pending.length >= ROWS_PER_TRANSACTION) {
      writeRows(pending);
      pending = [];
    }
    options.onProgress?.(done, total);
  };

  for await (const raw of options.items) {
    const item = IndexItemSchema.parse(raw);
    if (seen.has(item.id)) throw new Error(`duplicate item id ${JSON.stringify(item.id)}`);
    seen.add(item.id);
    batch.push(item);
    if (batch.length === settings.batchSize) await embedBatch();
  }
  if (batch.length > 0) await embedBatch();
  writeRows(pending);
  return { items: done, rowids, vectors, records };
}

/** An item's value for a filterable column, as vec0 binds it (integers and booleans as BigInt). */
function metadataValue(item: IndexItem, column: MetadataColumn): bigint | number | string {
  const value = item.metadata?.[column.name];
  const fail = (): never => {
    throw new Error(
      `item ${JSON.stringify(item.id)}: filterable field "${column.name}" must be ${column.type === 'integer' ? 'an' : 'a'} ${column.type}, got ${JSON.stringify(value)}`,
    );
  };
  switch (column.type) {
    case 'integer':
      return Number.isSafeInteger(value) ? BigInt(value as number) : fail();
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? value : fail();
    case 'text':
      return typeof value === 'string' ? value : fail();
    case 'boolean':
      return typeof value === 'boolean' ? BigInt(value ? 1 : 0) : fail();
  }
}
