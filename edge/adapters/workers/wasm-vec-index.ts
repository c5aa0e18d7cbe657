import type { Sqlite3, SqliteDatabase, SqliteStatement } from 'sqlite-vec-wasm-demo';
import { z } from 'zod';
import {
  type CollectionRow,
  CollectionRowSchema,
  collectionInfoOf,
  type MetadataColumn,
  metadataColumnsOf,
  SELECT_COLLECTIONS,
  vecTableName,
} from '../../../shared/db/index-schema.ts';
import { collectionKey, describeCollection, requireCollection } from '../../collection-key.ts';
import type { CollectionInfo, CollectionRef, MetadataFilter, SearchHit, VectorIndex } from '../../ports.ts';
import { type BoundValue, checkSearchArguments, filterConditions, knnSql } from '../knn-query.ts';

/** Distinct filter shapes whose statements stay prepared per collection. */
const MAX_FILTER_STATEMENTS = 64;

/** An index.db to open: its size and how to write its bytes (verified) into SQLite's memory. */
export interface IndexDatabaseSource {
  /** Names the file in error messages, e.g. its R2 key. */
  name: string;
  bytes: number;
  fill(target: Uint8Array): Promise<void>;
}

export interface WasmVecIndex extends VectorIndex {
  /** The open database that holds a collection, and the collection's id in it (for item-catalog.ts). */
  database(collection: CollectionRef): { db: SqliteDatabase; collectionId: number } | undefined;
  /** Closes every database and frees its memory. */
  close(): void;
}

const HitRowSchema = z.object({
  id: z.string(),
  text: z.string().nullable(),
  metadata: z.string(),
  distance: z.number(),
});
const MetadataSchema = z.record(z.string(), z.unknown());

interface OpenCollection {
  info: CollectionInfo;
  id: number;
  source: string;
  db: SqliteDatabase;
  table: string;
  columns: Map<string, MetadataColumn>;
  /** The unfiltered KNN query, then filtered ones by SQL text (one per filter shape seen). */
  knn: SqliteStatement;
  filtered: Map<string, SqliteStatement>;
}

/**
 * The VectorIndex port over index.db files in sqlite-vec compiled to WebAssembly, for Workers: each file
 * is written straight into SQLite's memory (no second copy in JavaScript) and opened read-only with
 * sqlite3_deserialize. Same schema, queries, filters and scores as the Node adapter (edge/adapters/node/
 * sqlite-vec-index.ts): exact top-k by cosine distance, score = 1 - distance, and with a filter the
 * exact top k among the items whose declared metadata columns match it (edge/adapters/knn-query.ts).
 */
export async function openWasmVecIndex(
  sqlite3: Sqlite3,
  sources: readonly IndexDatabaseSource[],
): Promise<WasmVecIndex> {
  const databases: SqliteDatabase[] = [];
  // Keyed by model and name: two models may each hold a collection of the same name.
  const byKey = new Map<string, OpenCollection>();
  try {
    for (const source of sources) {
      const db = await deserialize(sqlite3, source);
      databases.push(db);
      for (const collection of readCollections(db, source.name)) {
        const key = collectionKey(collection.info);
        const existing = byKey.get(key);
        if (existing) {
          throw new Error(
            `collection ${describeCollection(collection.info)} is in both ${existing.source} and ${source.name}; a model's collection names must be unique`,
          );
        }
        byKey.set(key, collection);
      }
    }
  } catch (error) {
    for (const db of databases) db.close();
    throw error;
  }

  const infos = [...byKey.values()].map((c) => c.info);
  return {
    collections: () => infos,
    collection: (ref) => byKey.get(collectionKey(ref))?.info,
    async search(
      ref: CollectionRef,
      query: Float32Array,
      k: number,
      filter?: MetadataFilter,
    ): Promise<SearchHit[]> {
      const collection = requireCollection(byKey, ref);
      checkSearchArguments(query, collection.info.dims, k);
      const { statement, values } = knnStatement(collection, filter ?? {});
      const bytes = new Uint8Array(query.buffer, query.byteOffset, query.byteLength);
      return runKnn(statement, [bytes, k, ...values]);
    },
    database(ref) {
      const collection = byKey.get(collectionKey(ref));
      return collection && { db: collection.db, collectionId: collection.id };
    },
    close() {
      // Closing a database also finalizes the statements prepared on it.
      for (const db of databases) db.close();
    },
  };
}

async function deserialize(sqlite3: Sqlite3, source: IndexDatabaseSource): Promise<SqliteDatabase> {
  const { wasm, capi } = sqlite3;
  const pointer = wasm.alloc(source.bytes);
  try {
    // Nothing else runs in this SQLite while the bytes arrive, so its memory cannot grow under the view.
    await source.fill(wasm.heap8u().subarray(pointer, pointer + source.bytes));
  } catch (error) {
    wasm.dealloc(pointer);
    throw error;
  }
  const db = new sqlite3.oo1.DB(':memory:');
  // FREEONCLOSE hands the buffer to SQLite, which frees it on close, or at once if this call fails.
  const flags = capi.SQLITE_DESERIALIZE_FREEONCLOSE | capi.SQLITE_DESERIALIZE_READONLY;
  const rc = capi.sqlite3_deserialize(db.pointer, 'main', pointer, source.bytes, source.bytes, flags);
  try {
    db.checkRc(rc);
  } catch (error) {
    db.close();
    throw new Error(`${source.name} cannot be opened: ${(error as Error).message}`, { cause: error });
  }
  return db;
}

function readCollections(db: SqliteDatabase, source: string): OpenCollection[] {
  let rows: CollectionRow[];
  try {
    rows = z.array(CollectionRowSchema).parse(db.selectObjects(SELECT_COLLECTIONS));
  } catch (error) {
    throw new Error(`${source} is not a readable index database: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return rows.map((row) => {
    const table = vecTableName(row.id);
    const columns = metadataColumnsOf(readTableSql(db, table, source));
    return {
      id: row.id,
      source,
      db,
      table,
      columns: new Map(columns.map((column) => [column.name, column])),
      info: collectionInfoOf(row, columns),
      knn: db.prepare(knnSql(table)),
      filtered: new Map(),
    };
  });
}

function readTableSql(db: SqliteDatabase, table: string, source: string): string {
  const sql = db.selectValue('SELECT sql FROM sqlite_master WHERE name = ?', [table]);
  if (typeof sql !== 'string') throw new Error(`${source} has no table ${table}`);
  return sql;
}

function knnStatement(
  collection: OpenCollection,
  filter: MetadataFilter,
): { statement: SqliteStatement; values: BoundValue[] } {
  if (Object.keys(filter).length === 0) return { statement: collection.knn, values: [] };
  const { conditions, values } = filterConditions(collection.info.name, collection.columns, filter);
  const sql = knnSql(collection.table, conditions);
  let statement = collection.filtered.get(sql);
  if (!statement) {
    if (collection.filtered.size >= MAX_FILTER_STATEMENTS) {
      for (const old of collection.filtered.values()) old.finalize();
      collection.filtered.clear();
    }
    statement = collection.db.prepare(sql);
    collection.filtered.set(sql, statement);
  }
  return { statement, values };
}

function runKnn(knn: SqliteStatement, bind: readonly (Uint8Array | BoundValue)[]): SearchHit[] {
  const hits: SearchHit[] = [];
  try {
    knn.bind(bind);
    while (knn.step()) {
      const row = HitRowSchema.parse(knn.get({}));
      hits.push({
        id: row.id,
        score: 1 - row.distance,
        text: row.text,
        metadata: MetadataSchema.parse(JSON.parse(row.metadata)),
      });
    }
  } finally {
    knn.reset(true);
  }
  return hits;
}
