import type { SqliteDatabase, SqliteStatement } from 'sqlite-vec-wasm-demo';
import { z } from 'zod';
import { vecTableName } from '../../../shared/db/index-schema.ts';
import { collectionKey, describeCollection } from '../../collection-key.ts';
import { ApiError } from '../../errors.ts';
import type { CollectionRef, ItemCatalog, ShippedHistory } from '../../ports.ts';
import type { WasmVecIndex } from './wasm-vec-index.ts';

interface CollectionStatements {
  vector: SqliteStatement;
  /** Absent for index files built before migration 0002 (they ship no histories). */
  history?: SqliteStatement;
  id: number;
}

const VectorRowSchema = z.object({ embedding: z.instanceof(Uint8Array) });
const HistoryRowSchema = z.object({ positives: z.string(), seen: z.string() });
const IdsSchema = z.array(z.string());

/**
 * The ItemCatalog port for Workers, over the index.db files the WasmVecIndex already holds in SQLite's
 * memory (no second copy): item vectors from each collection's vec0 table and the histories a
 * recommendation model ships (user_histories). The same queries as the Node adapter
 * (edge/adapters/node/item-catalog.ts), so both find the same vectors and histories.
 */
export function wasmItemCatalog(index: WasmVecIndex): ItemCatalog {
  const prepared = new Map<string, CollectionStatements>();
  const statementsOf = (ref: CollectionRef): CollectionStatements => {
    const key = collectionKey(ref);
    let statements = prepared.get(key);
    if (statements) return statements;
    const found = index.database(ref);
    // Collections served from worker-index.json shards keep int8 vectors only, in the shards.
    if (!found) {
      throw new ApiError(
        400,
        'invalid_request',
        `collection ${describeCollection(ref)} is served from a Workers index (worker-index.json), which keeps no stored vectors readable`,
      );
    }
    statements = prepare(found.db, found.collectionId);
    prepared.set(key, statements);
    return statements;
  };
  return {
    async vectors(collection, ids) {
      const { vector, id } = statementsOf(collection);
      const found = new Map<string, Float32Array>();
      for (const item of ids) {
        const row = one(vector, [id, item], VectorRowSchema);
        if (!row) continue;
        const { embedding } = row;
        // A copy: the bytes belong to SQLite's memory, which the next query may reuse.
        found.set(item, new Float32Array(embedding.slice().buffer));
      }
      return found;
    },
    async history(collection, user): Promise<ShippedHistory | undefined> {
      const { history, id } = statementsOf(collection);
      const row = history && one(history, [id, user], HistoryRowSchema);
      if (!row) return undefined;
      return {
        positives: IdsSchema.parse(JSON.parse(row.positives)),
        seen: IdsSchema.parse(JSON.parse(row.seen)),
      };
    },
  };
}

function prepare(db: SqliteDatabase, id: number): CollectionStatements {
  const hasHistories =
    db.selectValue("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'user_histories'") === 1;
  return {
    id,
    vector: db.prepare(
      `SELECT v.embedding AS embedding FROM items JOIN ${vecTableName(id)} AS v ON v.rowid = items.id
       WHERE items.collection_id = ? AND items.external_id = ?`,
    ),
    ...(hasHistories
      ? {
          history: db.prepare(
            'SELECT positives, seen FROM user_histories WHERE collection_id = ? AND user_id = ?',
          ),
        }
      : {}),
  };
}

/** The statement's first row for these values, or undefined; the statement is reset for its next use. */
function one<S extends z.ZodType>(
  statement: SqliteStatement,
  values: readonly (string | number)[],
  schema: S,
): z.output<S> | undefined {
  try {
    statement.bind(values);
    return statement.step() ? schema.parse(statement.get({})) : undefined;
  } finally {
    statement.reset(true);
  }
}
