import { z } from 'zod';
import { loadScanKernel } from '../../../shared/ann/scan-kernel/load-node.ts';
import {
  openVecDatabase,
  type SqliteDatabase,
  type SqliteStatement,
  vectorBlob,
} from '../../../shared/db/better-sqlite.ts';
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
import { checkSearchArguments, filterConditions, knnSql } from '../knn-query.ts';
import { type CollectionScan, openCollectionVectors } from './collection-vectors.ts';
import type { FilterBitmap } from './filter-columns.ts';
import { type GraphSearch, openGraphSearch } from './graph-search.ts';
import { type SearchOptions, SearchOptionsSchema } from './search-options.ts';

export { MAX_K } from '../knn-query.ts';

/** Lets the OS page the index in on demand instead of reading it through SQLite's cache. */
const MMAP_BYTES = 1 << 30;

export interface SqliteVecIndex extends VectorIndex {
  /** How a search of the collection without a filter runs: through its graph, or exactly. */
  searchMethod(collection: CollectionRef): 'graph' | 'exact' | undefined;
  /** Closes every database; the index cannot be searched afterwards. */
  close(): void;
}

const ItemRowSchema = z.object({ id: z.string(), text: z.string().nullable(), metadata: z.string() });
const HitRowSchema = ItemRowSchema.extend({ distance: z.number() });
const ItemByIdSchema = ItemRowSchema.extend({ rowid: z.number().int() });
const MetadataSchema = z.record(z.string(), z.unknown());

/** A collection of an open index database, ready to search (see openCollection). */
export interface OpenCollection {
  info: CollectionInfo;
  source: string;
  /** The unfiltered KNN query, then filtered ones by SQL text (one per filter shape seen). */
  knn: SqliteStatement;
  filtered: Map<string, SqliteStatement>;
  db: SqliteDatabase;
  table: string;
  columns: Map<string, MetadataColumn>;
  /** Absent in 'exact' mode and for collections whose file has no graph. */
  graph?: GraphSearch;
  /**
   * The exact scan of the vectors held in memory; absent when the opener asked for none (a writable
   * collection, which changes) or the collection is too large to hold: vec0 then scans the file.
   */
  scan?: CollectionScan;
  /** A filter as the scan's bitmap, when the collection has a scan and filterable fields. */
  filterBitmap?: FilterBitmap;
  /** Items by items.id, given as a JSON array: the in-memory searches' hits, fetched in one statement. */
  items: SqliteStatement;
}

/** Distinct filter shapes whose statements stay prepared per collection. */
const MAX_FILTER_STATEMENTS = 64;

/**
 * The VectorIndex port over index.db files built by trainer/index/build-index.ts (one per model version,
 * each with one or more collections). Files are opened read-only with mmap and each collection's query is
 * prepared once. Without a filter, a collection that has a search graph (built with the index, see
 * shared/ann/) is searched through it, in memory: approximate, recall@10 about 0.98 at the default ef.
 * Otherwise every vector is scanned, so results are the exact top-k by cosine: by the WebAssembly SIMD
 * scan over the vectors held in memory (shared/ann/exact-scan.ts), a filter applied in the scan as a
 * bitmap, or by vec0 for a collection opened without the kernel or too large to hold.
 * Either way score = cosine similarity (= 1 - vec0's cosine distance).
 *
 * Metadata filters use vec0 metadata columns, declared when the collection was built (the fields in
 * `filterable`): the filter goes into the KNN's WHERE, so vec0 returns the exact top k among the matching
 * items (no over-fetching that could come back short). Fields not declared cannot be filtered on.
 */
export function openSqliteVecIndex(
  sources: readonly (string | { path: string })[],
  options: SearchOptions = {},
): SqliteVecIndex {
  const settings = SearchOptionsSchema.parse(options);
  const kernel = loadScanKernel();
  const databases: SqliteDatabase[] = [];
  // Keyed by model and name: two models may each hold a collection of the same name.
  const byKey = new Map<string, OpenCollection>();
  try {
    for (const source of sources) {
      const path = typeof source === 'string' ? source : source.path;
      const db = openVecDatabase(path, { readonly: true });
      databases.push(db);
      db.pragma(`mmap_size = ${MMAP_BYTES}`);
      for (const collection of readCollections(db, path, { withGraphs: settings.mode === 'graph', kernel })) {
        const key = collectionKey(collection.info);
        const existing = byKey.get(key);
        if (existing) {
          throw new Error(
            `collection ${describeCollection(collection.info)} is in both ${existing.source} and ${path}; a model's collection names must be unique`,
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
    searchMethod(ref) {
      const collection = byKey.get(collectionKey(ref));
      if (!collection) return undefined;
      return collection.graph ? 'graph' : 'exact';
    },
    search: async (ref, query, k, filter) =>
      searchCollection(requireCollection(byKey, ref), query, k, settings.ef, filter),
    close() {
      for (const db of databases) if (db.open) db.close();
    },
  };
}

/**
 * Top-k of one open collection: through its graph when it has one and no filter is given, else exactly
 * (without a filter the in-memory scan when there is one; otherwise vec0 scans every vector, the filter
 * inside its WHERE).
 */
export function searchCollection(
  collection: OpenCollection,
  query: Float32Array,
  k: number,
  ef: number,
  filter?: MetadataFilter,
): SearchHit[] {
  const { name } = collection.info;
  checkSearchArguments(query, collection.info.dims, k);
  const filtered = filter !== undefined && Object.keys(filter).length > 0;
  const inMemory = filtered
    ? scanFiltered(collection, query, k, filter)
    : (collection.graph?.search(query, k, ef) ?? collection.scan?.(query, k));
  if (inMemory) {
    const { itemIds, scores } = inMemory;
    const rows = new Map(
      collection.items.all(JSON.stringify(Array.from(itemIds))).map((raw) => {
        const row = ItemByIdSchema.parse(raw);
        return [row.rowid, row];
      }),
    );
    return Array.from(itemIds, (itemId, i) => {
      const row = rows.get(itemId);
      if (!row) throw new Error(`collection "${name}": the search names item ${itemId}, which is not stored`);
      return toHit(row, scores[i]);
    });
  }
  const { statement, values } = filtered
    ? filteredKnn(collection, filter)
    : { statement: collection.knn, values: [] };
  return statement.all(vectorBlob(query), BigInt(k), ...values).map((raw) => {
    const row = HitRowSchema.parse(raw);
    return toHit(row, 1 - row.distance);
  });
}

/** The exact top k among the items the filter selects, by the in-memory scan; undefined without one. */
function scanFiltered(collection: OpenCollection, query: Float32Array, k: number, filter: MetadataFilter) {
  const { scan, filterBitmap } = collection;
  if (!scan || !filterBitmap) return undefined;
  // Refuses unknown fields and values of the wrong type as vec0's query does.
  filterConditions(collection.info.name, collection.columns, filter);
  return scan(query, k, filterBitmap(filter));
}

function toHit(row: z.infer<typeof ItemRowSchema>, score: number): SearchHit {
  return { id: row.id, score, text: row.text, metadata: MetadataSchema.parse(JSON.parse(row.metadata)) };
}

function readCollections(
  db: SqliteDatabase,
  path: string,
  options: { withGraphs: boolean; kernel: WebAssembly.Module },
): OpenCollection[] {
  let rows: CollectionRow[];
  try {
    rows = z.array(CollectionRowSchema).parse(db.prepare(SELECT_COLLECTIONS).all());
  } catch (error) {
    throw new Error(`${path} is not a readable index database: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return rows.map((row) => openCollection(db, path, row, options.withGraphs, options.kernel));
}

/**
 * One collection of an open index database, its statements prepared (and its graph loaded, if asked).
 * With the scan kernel its vectors are read into memory once, for the exact scan and the graph to share.
 */
export function openCollection(
  db: SqliteDatabase,
  path: string,
  row: CollectionRow,
  withGraph: boolean,
  kernel?: WebAssembly.Module,
): OpenCollection {
  const table = vecTableName(row.id);
  const columns = metadataColumnsOf(readTableSql(db, table, path));
  const vectors =
    kernel && openCollectionVectors(db, row.id, table, row.dims, { withGraph, kernel, columns });
  const graph = vectors
    ? vectors.graph
    : withGraph
      ? openGraphSearch(db, row.id, table, row.dims)
      : undefined;
  return {
    source: path,
    db,
    table,
    columns: new Map(columns.map((column) => [column.name, column])),
    filtered: new Map(),
    info: collectionInfoOf(row, columns),
    knn: db.prepare<unknown[]>(knnSql(table, [])),
    // One statement for all k hits: k point lookups through better-sqlite3 cost about three times as much.
    items: db.prepare<unknown[]>(
      'SELECT id AS rowid, external_id AS id, text, metadata FROM items WHERE id IN (SELECT value FROM json_each(?))',
    ),
    ...(graph ? { graph } : {}),
    ...(vectors ? { scan: vectors.scan } : {}),
    ...(vectors?.filter ? { filterBitmap: vectors.filter } : {}),
  };
}

function readTableSql(db: SqliteDatabase, table: string, path: string): string {
  const row = z
    .object({ sql: z.string() })
    .optional()
    .parse(db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(table));
  if (!row) throw new Error(`${path} has no table ${table}`);
  return row.sql;
}

function filteredKnn(
  collection: OpenCollection,
  filter: MetadataFilter,
): { statement: SqliteStatement; values: unknown[] } {
  const { conditions, values } = filterConditions(collection.info.name, collection.columns, filter);
  const sql = knnSql(collection.table, conditions);
  let statement = collection.filtered.get(sql);
  if (!statement) {
    if (collection.filtered.size >= MAX_FILTER_STATEMENTS) collection.filtered.clear();
    statement = collection.db.prepare<unknown[]>(sql);
    collection.filtered.set(sql, statement);
  }
  return { statement, values };
}
