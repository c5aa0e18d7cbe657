import { z } from 'zod';
import {
  openVecDatabase,
  type SqliteDatabase,
  type SqliteStatement,
} from '../../../shared/db/better-sqlite.ts';
import { CollectionRowSchema, SELECT_COLLECTIONS, vecTableName } from '../../../shared/db/index-schema.ts';
import { collectionKey, requireCollection } from '../../collection-key.ts';
import type { CollectionRef, ItemCatalog, ShippedHistory } from '../../ports.ts';

export interface SqliteItemCatalog extends ItemCatalog {
  close(): void;
}

interface CollectionStatements {
  vector: SqliteStatement;
  /** Absent for index files built before migration 0002 (they ship no histories). */
  history?: SqliteStatement;
  id: number;
}

const VectorRowSchema = z.object({ embedding: z.instanceof(Buffer) });
const HistoryRowSchema = z.object({ positives: z.string(), seen: z.string() });
const IdsSchema = z.array(z.string());

/**
 * The ItemCatalog port over the same index.db files the VectorIndex serves (opened read-only again: both
 * connections share the OS page cache). Vectors come back exactly as the index stores them.
 */
export function openSqliteItemCatalog(indexPaths: readonly string[]): SqliteItemCatalog {
  const databases: SqliteDatabase[] = [];
  // Keyed by model and name, as the vector index is.
  const byKey = new Map<string, CollectionStatements>();
  try {
    for (const path of indexPaths) {
      const db = openVecDatabase(path, { readonly: true });
      databases.push(db);
      const hasHistories = db
        .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'user_histories'")
        .get();
      for (const row of z.array(CollectionRowSchema).parse(db.prepare(SELECT_COLLECTIONS).all())) {
        byKey.set(collectionKey({ model: row.model_name, name: row.name }), {
          id: row.id,
          vector: db.prepare(
            `SELECT v.embedding AS embedding FROM items JOIN ${vecTableName(row.id)} AS v ON v.rowid = items.id
             WHERE items.collection_id = ? AND items.external_id = ?`,
          ),
          ...(hasHistories
            ? {
                history: db.prepare(
                  'SELECT positives, seen FROM user_histories WHERE collection_id = ? AND user_id = ?',
                ),
              }
            : {}),
        });
      }
    }
  } catch (error) {
    for (const db of databases) db.close();
    throw error;
  }

  const statementsOf = (collection: CollectionRef) => requireCollection(byKey, collection);
  return {
    async vectors(collection, ids) {
      const { vector, id } = statementsOf(collection);
      const found = new Map<string, Float32Array>();
      for (const item of ids) {
        const raw = vector.get(id, item);
        if (raw === undefined) continue;
        const { embedding } = VectorRowSchema.parse(raw);
        // A copy: the buffer belongs to SQLite's row.
        found.set(
          item,
          new Float32Array(
            embedding.buffer.slice(embedding.byteOffset, embedding.byteOffset + embedding.byteLength),
          ),
        );
      }
      return found;
    },
    async history(collection, user): Promise<ShippedHistory | undefined> {
      const { history, id } = statementsOf(collection);
      const raw = history?.get(id, user);
      if (raw === undefined) return undefined;
      const row = HistoryRowSchema.parse(raw);
      return {
        positives: IdsSchema.parse(JSON.parse(row.positives)),
        seen: IdsSchema.parse(JSON.parse(row.seen)),
      };
    },
    close() {
      for (const db of databases) if (db.open) db.close();
    },
  };
}
