import { statSync } from 'node:fs';
import { z } from 'zod';
import { openVecDatabase, type SqliteDatabase, vectorBlob } from '../../shared/db/better-sqlite.ts';
import type { KnnDataset } from './dataset.ts';

/**
 * sqlite-vec tables in the layouts the knn section compares, built straight with better-sqlite3 in one
 * transaction each. Row i of the data set is rowid i + 1 (vec0 rowids are positive integers).
 */

/** Lets the OS page a file in on demand instead of reading it through SQLite's page cache. */
export const MMAP_BYTES = 1 << 30;
/** Candidates fetched per wanted neighbour before re-scoring with the float32 vectors. */
export const INT8_OVERSAMPLE = 4;
export const BIT_OVERSAMPLE = 8;

export type Layout = 'float32' | 'int8' | 'bit' | 'partitioned';

export interface BuiltTable {
  path: string;
  seconds: number;
  bytes: number;
}

export type TableSearch = (query: Float32Array, k: number, partition?: string) => number[];

const RowidsSchema = z.array(z.number().int().positive());

/** The scale that maps the data set's largest |value| to 127: one symmetric int8 scale for all rows. */
export function int8Scale(vectors: Float32Array): number {
  let max = 0;
  for (const value of vectors) max = Math.max(max, Math.abs(value));
  return max > 0 ? 127 / max : 1;
}

function int8Blob(vector: Float32Array, scale: number): Buffer {
  const out = new Int8Array(vector.length);
  for (let i = 0; i < vector.length; i++)
    out[i] = Math.max(-127, Math.min(127, Math.round(vector[i] * scale)));
  return Buffer.from(out.buffer);
}

const CREATE: Record<Layout, (dim: number) => string> = {
  // As the sqlite-vec README creates one: what a user picks first.
  float32: (dim) => `CREATE VIRTUAL TABLE vectors USING vec0(embedding float[${dim}] distance_metric=cosine)`,
  // The quantized column is scanned; the float32 copy in an auxiliary column re-scores the candidates.
  int8: (dim) =>
    `CREATE VIRTUAL TABLE vectors USING vec0(embedding int8[${dim}] distance_metric=cosine, +full blob)`,
  bit: (dim) => `CREATE VIRTUAL TABLE vectors USING vec0(embedding bit[${dim}], +full blob)`,
  partitioned: (dim) =>
    `CREATE VIRTUAL TABLE vectors USING vec0(part text partition key, embedding float[${dim}] distance_metric=cosine)`,
};

const INSERT: Record<Layout, string> = {
  float32: 'INSERT INTO vectors (rowid, embedding) VALUES (?, ?)',
  int8: 'INSERT INTO vectors (rowid, embedding, full) VALUES (?, vec_int8(?), ?)',
  bit: 'INSERT INTO vectors (rowid, embedding, full) VALUES (?, vec_quantize_binary(?), ?)',
  partitioned: 'INSERT INTO vectors (rowid, part, embedding) VALUES (?, ?, ?)',
};

export function buildTable(path: string, layout: Layout, dataset: KnnDataset): BuiltTable {
  const started = performance.now();
  const { dim, vectors } = dataset;
  const scale = int8Scale(vectors);
  const db = openVecDatabase(path, { readonly: false });
  try {
    db.exec(CREATE[layout](dim));
    const insert = db.prepare(INSERT[layout]);
    db.transaction(() => {
      for (let row = 0; row < dataset.count; row++) {
        const vector = vectors.subarray(row * dim, (row + 1) * dim);
        const rowid = BigInt(row + 1);
        if (layout === 'float32') insert.run(rowid, vectorBlob(vector));
        else if (layout === 'int8') insert.run(rowid, int8Blob(vector, scale), vectorBlob(vector));
        else if (layout === 'bit') insert.run(rowid, vectorBlob(vector), vectorBlob(vector));
        else insert.run(rowid, dataset.partitions[row], vectorBlob(vector));
      }
    })();
  } finally {
    db.close();
  }
  return { path, seconds: (performance.now() - started) / 1000, bytes: statSync(path).size };
}

export interface OpenedTable {
  search: TableSearch;
  close(): void;
}

/**
 * A read-only connection with the query for its layout. `mmap` false leaves SQLite's defaults: the
 * "stock" configuration a user gets without tuning.
 */
export function openTable(
  path: string,
  layout: Layout,
  options: { mmap: boolean; scale?: number },
): OpenedTable {
  const db = openVecDatabase(path, { readonly: true });
  if (options.mmap) db.pragma(`mmap_size = ${MMAP_BYTES}`);
  const search = searchFor(db, layout, options.scale ?? 1);
  return { search, close: () => db.close() };
}

function searchFor(db: SqliteDatabase, layout: Layout, scale: number): TableSearch {
  const rows = (raw: unknown[]) => RowidsSchema.parse(raw).map((rowid) => rowid - 1);
  switch (layout) {
    case 'float32': {
      const knn = db.prepare('SELECT rowid FROM vectors WHERE embedding MATCH ? AND k = ?').pluck();
      return (query, k) => rows(knn.all(vectorBlob(query), BigInt(k)));
    }
    case 'partitioned': {
      const knn = db
        .prepare('SELECT rowid FROM vectors WHERE embedding MATCH ? AND k = ? AND part = ?')
        .pluck();
      return (query, k, partition) => {
        if (partition === undefined) throw new Error('a partitioned search needs a partition');
        return rows(knn.all(vectorBlob(query), BigInt(k), partition));
      };
    }
    case 'int8':
    case 'bit': {
      const match = layout === 'int8' ? 'vec_int8(?)' : 'vec_quantize_binary(?)';
      const oversample = layout === 'int8' ? INT8_OVERSAMPLE : BIT_OVERSAMPLE;
      const knn = db
        .prepare(
          `WITH coarse AS (SELECT rowid, full FROM vectors WHERE embedding MATCH ${match} AND k = ?)
           SELECT rowid FROM coarse ORDER BY vec_distance_cosine(full, ?) LIMIT ?`,
        )
        .pluck();
      return (query, k) => {
        const coarse = layout === 'int8' ? int8Blob(query, scale) : vectorBlob(query);
        return rows(knn.all(coarse, BigInt(k * oversample), vectorBlob(query), BigInt(k)));
      };
    }
  }
}
