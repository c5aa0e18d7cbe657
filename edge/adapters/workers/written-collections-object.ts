import { z } from 'zod';
import { FilterableFieldSchema } from '../../schemas.ts';
import {
  type CollectionRequest,
  CollectionRequestSchema,
  type CollectionRowSchema,
  type ItemSchema,
} from './collection-protocol.ts';

/** The part of a SQLite-backed Durable Object's storage this object uses. */
interface SqlCursor {
  toArray(): Record<string, unknown>[];
}
interface DurableStorage {
  sql: { exec(query: string, ...bindings: unknown[]): SqlCursor };
  transactionSync<T>(run: () => T): T;
}

// vec0 is not available in a Durable Object's SQLite, so vectors are float32 blobs beside their items
// and searched by a scan of the collection, held in memory between writes.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS collections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  model_name TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  model_version TEXT NOT NULL,
  dims INTEGER NOT NULL,
  filterable TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 0,
  UNIQUE (model_name, name)
);
CREATE TABLE IF NOT EXISTS items (
  collection_id INTEGER NOT NULL,
  external_id TEXT NOT NULL,
  text TEXT,
  source TEXT,
  metadata TEXT NOT NULL,
  vector BLOB NOT NULL,
  PRIMARY KEY (collection_id, external_id)
);`;

const CollectionSqlSchema = z.object({
  id: z.number(),
  model_name: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  model_version: z.string(),
  dims: z.number(),
  filterable: z.string(),
  revision: z.number(),
  items: z.number(),
});
const ItemSqlSchema = z.object({
  external_id: z.string(),
  text: z.string().nullable(),
  source: z.string().nullable(),
  metadata: z.string(),
  vector: z.instanceof(ArrayBuffer),
});
const FilterableSchema = z.array(FilterableFieldSchema);

type Row = z.infer<typeof CollectionSqlSchema>;
type Item = z.infer<typeof ItemSchema>;

/** A collection's items in memory for scans: unit vectors row by row, with what a hit returns. */
interface Scan {
  vectors: Float32Array;
  items: { id: string; text: string | null; metadata: Record<string, unknown> }[];
}

/**
 * The Durable Object that holds a deployment's written collections (wrangler.toml binds it as
 * COLLECTIONS; the Worker uses one object, named `written-collections`). It is the Worker's twin of the
 * Node server's collections.db: every write runs in one storage transaction (all of a request's items
 * or none), bumps the collection's revision and is durable before the answer; searches scan the
 * collection exactly (no search graph on Workers). One object serialises the deployment's writes.
 */
export class WrittenCollections {
  private readonly storage: DurableStorage;
  /** Scans by collection id, dropped at each write to the collection. */
  private readonly scans = new Map<number, Scan>();

  constructor(state: { storage: DurableStorage }, _env: unknown) {
    this.storage = state.storage;
    this.storage.sql.exec(SCHEMA);
  }

  async fetch(request: Request): Promise<Response> {
    const parsed = CollectionRequestSchema.safeParse(await request.json());
    if (!parsed.success)
      return Response.json({ error: `bad request: ${parsed.error.message}` }, { status: 400 });
    try {
      return Response.json(this.answer(parsed.data));
    } catch (error) {
      const status = error instanceof RangeError ? 400 : 500;
      return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status });
    }
  }

  private answer(request: CollectionRequest): unknown {
    const { sql } = this.storage;
    switch (request.op) {
      case 'list':
        return { collections: this.list() };
      case 'create':
        sql.exec(
          'INSERT INTO collections (model_name, name, description, model_version, dims, filterable) VALUES (?, ?, ?, ?, ?, ?)',
          request.model,
          request.name,
          request.description ?? null,
          request.modelVersion,
          request.dims,
          JSON.stringify(request.filterable ?? []),
        );
        return { collections: this.list() };
      case 'drop': {
        const { id } = this.row(request);
        this.storage.transactionSync(() => {
          sql.exec('DELETE FROM items WHERE collection_id = ?', id);
          sql.exec('DELETE FROM collections WHERE id = ?', id);
        });
        this.scans.delete(id);
        return { collections: this.list() };
      }
      case 'upsert': {
        const row = this.row(request);
        if (row.model_version !== request.modelVersion) {
          return { collections: this.list(), created: 0, updated: 0, boundTo: row.model_version };
        }
        const created = this.write(row, () => {
          let fresh = 0;
          for (const item of request.items) {
            checkItem(row, item);
            const known = sql.exec(
              'SELECT 1 FROM items WHERE collection_id = ? AND external_id = ?',
              row.id,
              item.id,
            );
            if (known.toArray().length === 0) fresh += 1;
            sql.exec(
              `INSERT OR REPLACE INTO items (collection_id, external_id, text, source, metadata, vector)
               VALUES (?, ?, ?, ?, ?, ?)`,
              row.id,
              item.id,
              item.text,
              item.source,
              JSON.stringify(item.metadata),
              Float32Array.from(item.vector).buffer,
            );
          }
          return fresh;
        });
        return { collections: this.list(), created, updated: request.items.length - created };
      }
      case 'remove': {
        const row = this.row(request);
        const removed = this.write(row, () =>
          request.ids.filter(
            (id) =>
              sql
                .exec('DELETE FROM items WHERE collection_id = ? AND external_id = ? RETURNING 1', row.id, id)
                .toArray().length > 0,
          ),
        );
        return { collections: this.list(), removed };
      }
      case 'item': {
        const [item] = this.items(this.row(request).id, 'AND external_id = ?', request.id);
        return { item: item ?? null };
      }
      case 'page': {
        const rows = this.items(
          this.row(request).id,
          'AND external_id > ? ORDER BY external_id LIMIT ?',
          request.after ?? '',
          request.limit + 1,
        );
        const items = rows.slice(0, request.limit);
        return { items, next: rows.length > request.limit ? (items.at(-1)?.id ?? null) : null };
      }
      case 'vectors': {
        const { id } = this.row(request);
        const wanted = new Set(request.ids);
        const found = this.items(
          id,
          'AND external_id IN (SELECT value FROM json_each(?))',
          JSON.stringify([...wanted]),
        );
        return { vectors: found.map((item) => ({ id: item.id, vector: item.vector })) };
      }
      case 'sources': {
        const row = this.row(request);
        const items = sql
          .exec(
            'SELECT external_id AS id, source FROM items WHERE collection_id = ? ORDER BY external_id',
            row.id,
          )
          .toArray();
        return { revision: row.revision, items };
      }
      case 'rebind': {
        const row = this.row(request);
        const vectors = new Map(request.vectors.map((entry) => [entry.id, entry.vector]));
        const stored = this.items(row.id, '');
        if (row.revision !== request.revision || stored.some((item) => !vectors.has(item.id))) {
          return { collections: this.list(), rebound: false };
        }
        this.write(row, () => {
          for (const item of stored) {
            const vector = vectors.get(item.id)!;
            checkItem(row, { ...item, vector });
            sql.exec(
              'UPDATE items SET vector = ? WHERE collection_id = ? AND external_id = ?',
              Float32Array.from(vector).buffer,
              row.id,
              item.id,
            );
          }
          sql.exec('UPDATE collections SET model_version = ? WHERE id = ?', request.modelVersion, row.id);
        });
        return { collections: this.list(), rebound: true };
      }
      case 'search':
        return { hits: this.search(this.row(request), request.query, request.k, request.filter ?? {}) };
    }
  }

  private list(): z.infer<typeof CollectionRowSchema>[] {
    return this.rows().map((row) => {
      const filterable = FilterableSchema.parse(JSON.parse(row.filterable));
      return {
        name: row.name,
        model: row.model_name,
        modelVersion: row.model_version,
        dims: row.dims,
        items: row.items,
        ...(row.description === null ? {} : { description: row.description }),
        ...(filterable.length > 0 ? { filterable } : {}),
      };
    });
  }

  private rows(where = '', ...bindings: unknown[]): Row[] {
    return this.storage.sql
      .exec(
        `SELECT c.*, (SELECT count(*) FROM items WHERE collection_id = c.id) AS items FROM collections AS c ${where} ORDER BY c.id`,
        ...bindings,
      )
      .toArray()
      .map((raw) => CollectionSqlSchema.parse(raw));
  }

  private row(ref: { model: string; name: string }): Row {
    const [row] = this.rows('WHERE c.model_name = ? AND c.name = ?', ref.model, ref.name);
    if (!row) throw new Error(`unknown collection "${ref.name}" of model ${ref.model}`);
    return row;
  }

  private items(collectionId: number, where: string, ...bindings: unknown[]): Item[] {
    return this.storage.sql
      .exec(
        `SELECT external_id, text, source, metadata, vector FROM items WHERE collection_id = ? ${where}`,
        collectionId,
        ...bindings,
      )
      .toArray()
      .map((raw) => {
        const row = ItemSqlSchema.parse(raw);
        return {
          id: row.external_id,
          text: row.text,
          source: row.source,
          metadata: z.record(z.string(), z.unknown()).parse(JSON.parse(row.metadata)),
          vector: Array.from(new Float32Array(row.vector)),
        };
      });
  }

  /** Runs a write in one transaction that also bumps the revision; the collection's scan is dropped. */
  private write<T>(row: Row, run: () => T): T {
    const result = this.storage.transactionSync(() => {
      const value = run();
      this.storage.sql.exec('UPDATE collections SET revision = revision + 1 WHERE id = ?', row.id);
      return value;
    });
    this.scans.delete(row.id);
    return result;
  }

  private search(row: Row, query: readonly number[], k: number, filter: Record<string, unknown>) {
    if (query.length !== row.dims)
      throw new RangeError(`the query has ${query.length} values, expected ${row.dims}`);
    const scan = this.scanOf(row);
    const norm = Math.hypot(...query);
    const scored: { index: number; score: number }[] = [];
    scan.items.forEach((item, i) => {
      if (!matches(item.metadata, filter)) return;
      let dot = 0;
      for (let j = 0; j < row.dims; j++) dot += query[j] * scan.vectors[i * row.dims + j];
      scored.push({ index: i, score: dot / norm });
    });
    return scored
      .sort((a, b) => b.score - a.score)
      .slice(0, k)
      .map(({ index, score }) => ({ ...scan.items[index], score }));
  }

  private scanOf(row: Row): Scan {
    let scan = this.scans.get(row.id);
    if (!scan) {
      const items = this.items(row.id, '');
      const vectors = new Float32Array(items.length * row.dims);
      items.forEach((item, i) => {
        const norm = Math.hypot(...item.vector);
        item.vector.forEach((value, j) => (vectors[i * row.dims + j] = value / norm));
      });
      scan = { vectors, items: items.map(({ id, text, metadata }) => ({ id, text, metadata })) };
      this.scans.set(row.id, scan);
    }
    return scan;
  }
}

/** A RangeError (400) for an item the collection cannot take: wrong dims or a missing filterable field. */
function checkItem(row: Row, item: Pick<Item, 'id' | 'vector' | 'metadata'>): void {
  if (item.vector.length !== row.dims || !item.vector.every(Number.isFinite)) {
    throw new RangeError(`item ${JSON.stringify(item.id)}: the vector needs ${row.dims} finite values`);
  }
  for (const { name } of FilterableSchema.parse(JSON.parse(row.filterable))) {
    if (item.metadata[name] === undefined) {
      throw new RangeError(`item ${JSON.stringify(item.id)}: filterable field "${name}" is missing`);
    }
  }
}

/** Whether metadata matches a filter: each field equals the value, or one of the listed values. */
function matches(metadata: Record<string, unknown>, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([name, wanted]) =>
    (Array.isArray(wanted) ? wanted : [wanted]).includes(metadata[name]),
  );
}
