import { z } from 'zod';
import type { SqliteDatabase } from '../../../shared/db/better-sqlite.ts';

/**
 * The vectors of a vec0 table, read in bulk for the in-memory search graph. Asking vec0 row by row
 * (`SELECT rowid, embedding FROM vec_1`) takes seconds for 100k rows because each row is a point lookup;
 * reading vec0's own chunk tables takes a fraction of that. Their layout is vec0's (sqlite-vec 0.1.9, which
 * package.json pins and each table records in `<table>_info`): `<table>_chunks` holds per chunk a validity
 * bitmap and the rowids (int64) of its slots, `<table>_vector_chunks00` the slots' float32 vectors. A table
 * written by another vec0 version is read row by row instead.
 */
const CHUNK_LAYOUT_VERSION = 'v0.1.9';

const ChunkRowSchema = z.object({
  size: z.number().int().positive(),
  validity: z.instanceof(Buffer),
  rowids: z.instanceof(Buffer),
  vectors: z.instanceof(Buffer),
});
const VectorRowSchema = z.object({ rowid: z.number().int(), embedding: z.instanceof(Buffer) });

/** The vectors of the given rowids, in that order (row-major); throws when one is missing. */
export function readVectors(
  db: SqliteDatabase,
  table: string,
  dims: number,
  rowids: Int32Array,
): Float32Array {
  const slotOfRowid = new Map<number, number>();
  rowids.forEach((rowid, slot) => slotOfRowid.set(rowid, slot));
  const out = new Float32Array(rowids.length * dims);
  const filled = new Uint8Array(rowids.length);
  const place = (rowid: number, bytes: Uint8Array, byteOffset: number) => {
    const slot = slotOfRowid.get(rowid);
    if (slot === undefined) return;
    // Copied through bytes: a Buffer from SQLite need not be 4-byte aligned.
    new Uint8Array(out.buffer, slot * dims * 4, dims * 4).set(
      bytes.subarray(byteOffset, byteOffset + dims * 4),
    );
    filled[slot] = 1;
  };
  if (chunkLayoutVersion(db, table) === CHUNK_LAYOUT_VERSION) readChunks(db, table, dims, place);
  else readRows(db, table, dims, place);
  const missing = filled.indexOf(0);
  if (missing >= 0) throw new Error(`${table} has no vector for rowid ${rowids[missing]}`);
  return out;
}

function chunkLayoutVersion(db: SqliteDatabase, table: string): string | undefined {
  const row = db.prepare(`SELECT value FROM ${table}_info WHERE key = 'CREATE_VERSION'`).get();
  return z.object({ value: z.string() }).optional().parse(row)?.value;
}

type Place = (rowid: number, bytes: Uint8Array, byteOffset: number) => void;

function readChunks(db: SqliteDatabase, table: string, dims: number, place: Place): void {
  const rows = db
    .prepare(
      `SELECT c.size AS size, c.validity AS validity, c.rowids AS rowids, v.vectors AS vectors
       FROM ${table}_chunks AS c JOIN ${table}_vector_chunks00 AS v ON v.rowid = c.chunk_id`,
    )
    .all();
  for (const raw of rows) {
    const chunk = ChunkRowSchema.parse(raw);
    const rowids = new DataView(chunk.rowids.buffer, chunk.rowids.byteOffset, chunk.rowids.byteLength);
    for (let slot = 0; slot < chunk.size; slot++) {
      if ((chunk.validity[slot >> 3] & (1 << (slot & 7))) === 0) continue;
      place(Number(rowids.getBigInt64(slot * 8, true)), chunk.vectors, slot * dims * 4);
    }
  }
}

function readRows(db: SqliteDatabase, table: string, dims: number, place: Place): void {
  for (const raw of db.prepare(`SELECT rowid, embedding FROM ${table}`).all()) {
    const row = VectorRowSchema.parse(raw);
    if (row.embedding.byteLength !== dims * 4) throw new Error(`${table}: a vector is not ${dims} float32`);
    place(row.rowid, row.embedding, 0);
  }
}
