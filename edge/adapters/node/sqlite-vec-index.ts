import { z } from 'zod';
import {
  openVecDatabase,
  type SqliteDatabase,
  type SqliteStatement,
  vectorBlob,
} from '../../../shared/db/better-sqlite.ts';
import {
  type CollectionRow,
  CollectionRowSchema,
  SELECT_COLLECTIONS,
  vecTableName,
  vectorProblem,
} from '../../../shared/db/index-schema.ts';
import type { CollectionInfo, SearchHit, VectorIndex } from '../../ports.ts';

/** vec0's own ceiling on k; the HTTP API allows less. */
export const MAX_K = 4096;

/** Lets the OS page the index in on demand instead of reading it through SQLite's cache. */
const MMAP_BYTES = 1 << 30;

export interface SqliteVecIndex extends VectorIndex {
  /** Closes every database; the index cannot be searched afterwards. */
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
  source: string;
  knn: SqliteStatement;
}

/**
 * The VectorIndex port over index.db files built by trainer/index/build-index.ts (one per model version,
 * each with one or more collections). Files are opened read-only with mmap and each collection's query is
 * prepared once. vec0 scans every vector, so results are the exact top-k by cosine distance;
 * score = 1 - distance = cosine similarity.
 */
export function openSqliteVecIndex(sources: readonly (string | { path: string })[]): SqliteVecIndex {
  const databases: SqliteDatabase[] = [];
  const byName = new Map<string, OpenCollection>();
  try {
    for (const source of sources) {
      const path = typeof source === 'string' ? source : source.path;
      const db = openVecDatabase(path, { readonly: true });
      databases.push(db);
      db.pragma(`mmap_size = ${MMAP_BYTES}`);
      for (const collection of readCollections(db, path)) {
        const existing = byName.get(collection.info.name);
        if (existing) {
          throw new Error(
            `collection "${collection.info.name}" is in both ${existing.source} and ${path}; collection names must be unique`,
          );
        }
        byName.set(collection.info.name, collection);
      }
    }
  } catch (error) {
    for (const db of databases) db.close();
    throw error;
  }

  const infos = [...byName.values()].map((c) => c.info);
  return {
    collections: () => infos,
    collection: (name) => byName.get(name)?.info,
    async search(name: string, query: Float32Array, k: number): Promise<SearchHit[]> {
      const collection = byName.get(name);
      if (!collection) throw new Error(`unknown collection "${name}"`);
      const problem = vectorProblem(query, collection.info.dims);
      if (problem) throw new RangeError(`the query ${problem}`);
      if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
        throw new RangeError(`k must be an integer in 1..${MAX_K}, got ${k}`);
      }
      return collection.knn.all(vectorBlob(query), BigInt(k)).map((raw) => {
        const row = HitRowSchema.parse(raw);
        return {
          id: row.id,
          score: 1 - row.distance,
          text: row.text,
          metadata: MetadataSchema.parse(JSON.parse(row.metadata)),
        };
      });
    },
    close() {
      for (const db of databases) if (db.open) db.close();
    },
  };
}

function readCollections(db: SqliteDatabase, path: string): OpenCollection[] {
  let rows: CollectionRow[];
  try {
    rows = z.array(CollectionRowSchema).parse(db.prepare(SELECT_COLLECTIONS).all());
  } catch (error) {
    throw new Error(`${path} is not a readable index database: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return rows.map((row) => ({
    source: path,
    info: {
      name: row.name,
      model: row.model_name,
      modelVersion: row.model_version,
      dims: row.dims,
      distance: row.distance,
      items: row.items,
      ...(row.description === null ? {} : { description: row.description }),
    },
    knn: db.prepare<unknown[]>(
      `SELECT items.external_id AS id, items.text AS text, items.metadata AS metadata, knn.distance AS distance
       FROM (SELECT rowid, distance FROM ${vecTableName(row.id)} WHERE embedding MATCH ? AND k = ?) AS knn
       JOIN items ON items.id = knn.rowid
       ORDER BY knn.distance`,
    ),
  }));
}
