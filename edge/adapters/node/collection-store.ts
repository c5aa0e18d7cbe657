import { join } from 'node:path';
import { z } from 'zod';
import { buildHnsw, HnswParamsSchema } from '../../../shared/ann/build-hnsw.ts';
import { writeGraph } from '../../../shared/ann/graph-table.ts';
import { unitRows } from '../../../shared/ann/unit-rows.ts';
import {
  openVecDatabase,
  type SqliteDatabase,
  type SqliteStatement,
  vectorBlob,
} from '../../../shared/db/better-sqlite.ts';
import {
  CollectionRowSchema,
  createVecTableSql,
  SELECT_COLLECTIONS,
  vecTableName,
  vectorProblem,
} from '../../../shared/db/index-schema.ts';
import { MIGRATIONS_DIR } from '../../../shared/db/read-migrations.ts';
import { collectionKey, describeCollection, requireCollection } from '../../collection-key.ts';
import type { CollectionInfo, CollectionRef, CollectionStore, WrittenItem } from '../../ports.ts';
import { columnValue } from '../knn-query.ts';
import { openDurableDatabase } from './durable-database.ts';
import { type SearchOptions, SearchOptionsSchema } from './search-options.ts';
import { type OpenCollection, openCollection, searchCollection } from './sqlite-vec-index.ts';
import { readVectors } from './vec0-vectors.ts';

/** The written collections' own schema history (see its first migration for why it is separate). */
export const COLLECTIONS_MIGRATIONS_DIR = join(MIGRATIONS_DIR, 'collections');

/** Where written collections live unless told otherwise: beside the versions, never inside one. */
export function defaultCollectionsPath(artifactsDir: string): string {
  return join(artifactsDir, 'collections.db');
}

export interface SqliteCollectionStore extends CollectionStore {
  close(): void;
}

interface Written {
  id: number;
  open: OpenCollection;
  info: CollectionInfo;
}

const StoredItemSchema = z.object({
  rowid: z.number().int(),
  id: z.string(),
  text: z.string().nullable(),
  source: z.string().nullable(),
  metadata: z.string(),
  embedding: z.instanceof(Buffer),
});
const RowidSchema = z.object({ id: z.number().int() });
const RevisionSchema = z.object({ revision: z.number().int() });
const SourceRowSchema = z.object({ id: z.string(), source: z.string().nullable() });

/**
 * The CollectionStore port over one read-write sqlite-vec database (collections.db): the same tables as a
 * published index.db, so searches run through the same code (openCollection, searchCollection), plus each
 * item's source and each collection's revision. WAL and synchronous FULL: a write is on disk before it is
 * acknowledged, and searches go on while one is written. Every write is one transaction: all of a
 * request's items or none. A write deletes the collection's search graph in that transaction, so a stored
 * graph always covers exactly the stored items; buildGraph makes a new one.
 */
export async function openCollectionStore(
  path: string,
  options: SearchOptions = {},
): Promise<SqliteCollectionStore> {
  const settings = SearchOptionsSchema.parse(options);
  const db = await openDurableDatabase(path, 'the collections database', COLLECTIONS_MIGRATIONS_DIR, (file) =>
    openVecDatabase(file, { readonly: false }),
  );
  // Dropping a collection or a graph deletes its rows through ON DELETE CASCADE.
  db.pragma('foreign_keys = ON');
  return collectionStore(db, path, settings.mode === 'graph', settings.ef);
}

function collectionStore(
  db: SqliteDatabase,
  path: string,
  withGraphs: boolean,
  ef: number,
): SqliteCollectionStore {
  const byKey = new Map<string, Written>();
  let infos: CollectionInfo[] = [];

  const selectRow = db.prepare(`${SELECT_COLLECTIONS.replace(' ORDER BY id', '')} WHERE id = ?`);
  /** (Re)opens one collection after it changed: its statements, its graph if it has one, its item count. */
  const reopen = (id: number) => {
    const row = CollectionRowSchema.parse(selectRow.get(BigInt(id)));
    const open = openCollection(db, path, row, withGraphs);
    const info: CollectionInfo = { ...open.info, writable: true, search: open.graph ? 'graph' : 'exact' };
    byKey.set(collectionKey(info), { id, open, info });
    infos = [...byKey.values()].sort((a, b) => a.id - b.id).map((c) => c.info);
  };
  for (const row of z.array(CollectionRowSchema).parse(db.prepare(SELECT_COLLECTIONS).all())) reopen(row.id);

  const find = (ref: CollectionRef) => requireCollection(byKey, ref);
  const now = () => new Date().toISOString();

  const insertCollection = db.prepare(
    `INSERT INTO collections (name, description, model_name, model_version, dims, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const itemRowid = db.prepare('SELECT id FROM items WHERE collection_id = ? AND external_id = ?');
  const insertItem = db.prepare(
    `INSERT INTO items (collection_id, external_id, text, source, metadata, updated_at)
     VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const updateItem = db.prepare(
    'UPDATE items SET text = ?, source = ?, metadata = ?, updated_at = ? WHERE id = ?',
  );
  const deleteItem = db.prepare('DELETE FROM items WHERE id = ?');
  const dropGraph = db.prepare('DELETE FROM ann_graphs WHERE collection_id = ?');
  const touch = db.prepare(
    `UPDATE collections SET items = (SELECT count(*) FROM items WHERE collection_id = @id),
       revision = revision + 1, updated_at = @now WHERE id = @id`,
  );
  const revisionOf = db.prepare('SELECT revision FROM collections WHERE id = ?');
  const sourcesOf = db.prepare(
    'SELECT external_id AS id, source FROM items WHERE collection_id = ? ORDER BY external_id',
  );
  const rowidsOf = db.prepare('SELECT id FROM items WHERE collection_id = ? ORDER BY id');
  const rebindVersion = db.prepare('UPDATE collections SET model_version = ? WHERE id = ?');

  const itemSql = (table: string, where: string) =>
    `SELECT items.id AS rowid, items.external_id AS id, items.text AS text, items.source AS source,
       items.metadata AS metadata, v.embedding AS embedding
     FROM items JOIN ${table} AS v ON v.rowid = items.id WHERE items.collection_id = ? AND ${where}`;
  const statements = new Map<string, SqliteStatement>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare<unknown[]>(sql)));
    return statement;
  };

  /** Writes one item's vector row (replacing any): vec0 takes no UPSERT, so delete then insert. */
  const putVector = (collection: Written, rowid: number, item: WrittenItem) => {
    const { table, columns } = collection.open;
    const problem = vectorProblem(item.vector, collection.info.dims);
    if (problem) throw new RangeError(`item ${JSON.stringify(item.id)}: the vector ${problem}`);
    const names = [...columns.keys()];
    prepared(`DELETE FROM ${table} WHERE rowid = ?`).run(BigInt(rowid));
    prepared(
      `INSERT INTO ${table} (${['rowid', 'embedding', ...names].join(', ')}) VALUES (${['?', '?', ...names.map(() => '?')].join(', ')})`,
    ).run(
      BigInt(rowid),
      vectorBlob(item.vector),
      ...[...columns.values()].map((column) => {
        try {
          return columnValue(column, item.metadata[column.name]);
        } catch (error) {
          throw new RangeError(`item ${JSON.stringify(item.id)}: ${(error as Error).message}`);
        }
      }),
    );
  };

  /** Runs `write` in one transaction with the bookkeeping every write does; reopens the collection after. */
  const writing = <T>(collection: Written, write: () => T): T => {
    const result = db.transaction(() => {
      const value = write();
      dropGraph.run(BigInt(collection.id));
      touch.run({ id: BigInt(collection.id), now: now() });
      return value;
    })();
    reopen(collection.id);
    return result;
  };

  const toRow = (raw: unknown): { rowid: number; item: WrittenItem } => {
    const row = StoredItemSchema.parse(raw);
    const item = {
      id: row.id,
      text: row.text,
      source: row.source,
      metadata: z.record(z.string(), z.unknown()).parse(JSON.parse(row.metadata)),
      // A copy: the buffer belongs to SQLite's row.
      vector: new Float32Array(
        row.embedding.buffer.slice(
          row.embedding.byteOffset,
          row.embedding.byteOffset + row.embedding.byteLength,
        ),
      ),
    };
    return { rowid: row.rowid, item };
  };
  const toItem = (raw: unknown) => toRow(raw).item;

  return {
    collections: () => infos,
    collection: (ref) => byKey.get(collectionKey(ref))?.info,
    search: async (ref, query, k, filter) => searchCollection(find(ref).open, query, k, ef, filter),

    async create(spec) {
      if (byKey.has(collectionKey(spec))) throw new Error(`collection ${describeCollection(spec)} exists`);
      const id = db.transaction(() => {
        const stamp = now();
        const { id } = RowidSchema.parse(
          insertCollection.get(
            spec.name,
            spec.description ?? null,
            spec.model,
            spec.modelVersion,
            BigInt(spec.dims),
            stamp,
            stamp,
          ),
        );
        db.exec(createVecTableSql(id, spec.dims, spec.filterable ?? []));
        return id;
      })();
      reopen(id);
      return find(spec).info;
    },

    async drop(ref) {
      const { id } = find(ref);
      db.transaction(() => {
        db.exec(`DROP TABLE ${vecTableName(id)}`);
        db.prepare('DELETE FROM collections WHERE id = ?').run(BigInt(id));
      })();
      byKey.delete(collectionKey(ref));
      infos = infos.filter((info) => collectionKey(info) !== collectionKey(ref));
    },

    async upsert(ref, items, modelVersion) {
      const collection = find(ref);
      const boundTo = collection.info.modelVersion;
      if (boundTo !== modelVersion) return { boundTo };
      return writing(collection, () => {
        let created = 0;
        const seen = new Set<string>();
        for (const item of items) {
          if (seen.has(item.id)) throw new RangeError(`item ${JSON.stringify(item.id)} appears twice`);
          seen.add(item.id);
          const existing = itemRowid.get(BigInt(collection.id), item.id);
          const metadata = JSON.stringify(item.metadata);
          let rowid: number;
          if (existing === undefined) {
            rowid = RowidSchema.parse(
              insertItem.get(BigInt(collection.id), item.id, item.text, item.source, metadata, now()),
            ).id;
            created += 1;
          } else {
            rowid = RowidSchema.parse(existing).id;
            updateItem.run(item.text, item.source, metadata, now(), BigInt(rowid));
          }
          putVector(collection, rowid, item);
        }
        return { created, updated: items.length - created };
      });
    },

    async remove(ref, ids) {
      const collection = find(ref);
      return writing(collection, () =>
        ids.filter((id) => {
          const existing = itemRowid.get(BigInt(collection.id), id);
          if (existing === undefined) return false;
          const { id: rowid } = RowidSchema.parse(existing);
          prepared(`DELETE FROM ${collection.open.table} WHERE rowid = ?`).run(BigInt(rowid));
          deleteItem.run(BigInt(rowid));
          return true;
        }),
      );
    },

    async item(ref, id) {
      const { id: collectionId, open } = find(ref);
      const raw = prepared(itemSql(open.table, 'items.external_id = ?')).get(BigInt(collectionId), id);
      return raw === undefined ? undefined : toItem(raw);
    },

    async page(ref, after, limit) {
      const { id: collectionId, open } = find(ref);
      const rows = prepared(
        `${itemSql(open.table, 'items.external_id > ?')} ORDER BY items.external_id LIMIT ?`,
      )
        .all(BigInt(collectionId), after ?? '', BigInt(limit + 1))
        .map(toItem);
      const items = rows.slice(0, limit);
      return { items, next: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
    },

    async vectors(ref, ids) {
      const { id: collectionId, open } = find(ref);
      const statement = prepared(itemSql(open.table, 'items.external_id = ?'));
      const found = new Map<string, Float32Array>();
      for (const id of ids) {
        const raw = statement.get(BigInt(collectionId), id);
        if (raw !== undefined) found.set(id, toItem(raw).vector);
      }
      return found;
    },

    async sources(ref) {
      const { id } = find(ref);
      return {
        revision: RevisionSchema.parse(revisionOf.get(BigInt(id))).revision,
        items: sourcesOf.all(BigInt(id)).map((raw) => SourceRowSchema.parse(raw)),
      };
    },

    async rebind(ref, change) {
      const collection = find(ref);
      const { revision } = RevisionSchema.parse(revisionOf.get(BigInt(collection.id)));
      if (revision !== change.revision) return false;
      const rows = prepared(itemSql(collection.open.table, '1')).all(BigInt(collection.id)).map(toRow);
      if (rows.some(({ item }) => !change.vectors.has(item.id))) return false;
      writing(collection, () => {
        for (const { rowid, item } of rows) {
          putVector(collection, rowid, { ...item, vector: change.vectors.get(item.id)! });
        }
        rebindVersion.run(change.modelVersion, BigInt(collection.id));
      });
      return true;
    },

    async buildGraph(ref) {
      const collection = find(ref);
      const rowids = Int32Array.from(
        rowidsOf.all(BigInt(collection.id)).map((raw) => RowidSchema.parse(raw).id),
      );
      if (rowids.length === 0) return;
      const { dims } = collection.info;
      const params = HnswParamsSchema.parse({});
      const graph = buildHnsw(
        unitRows(readVectors(db, collection.open.table, dims, rowids), dims),
        dims,
        params,
      );
      db.transaction(() => {
        dropGraph.run(BigInt(collection.id));
        writeGraph(db, collection.id, graph, params, rowids);
      })();
      reopen(collection.id);
    },

    close() {
      if (db.open) db.close();
    },
  };
}
