import { z } from 'zod';
import { ExactScan, MAX_SCAN_BYTES } from '../../../shared/ann/exact-scan.ts';
import { readGraph } from '../../../shared/ann/graph-table.ts';
import type { SqliteDatabase } from '../../../shared/db/better-sqlite.ts';
import type { MetadataColumn } from '../../../shared/db/index-schema.ts';
import { type FilterBitmap, readFilterColumns } from './filter-columns.ts';
import { type GraphSearch, graphOverScan, graphScratchBytes } from './graph-search.ts';
import { readVectors } from './vec0-vectors.ts';

/**
 * The exact top k (best first, ties to the earlier row) as items.id and cosine scores; with `bitmap` (bit
 * r of byte r >> 3 for the r-th of the collection's rows) only among the items it selects.
 */
export type CollectionScan = (
  query: Float32Array,
  k: number,
  bitmap?: Uint8Array,
) => { itemIds: Int32Array; scores: Float32Array };

/** A collection's vectors in memory: scanned exactly, and walked through its graph when it has one. */
export interface CollectionVectors {
  scan: CollectionScan;
  /** items.id of the scan's rows, in row order. */
  itemIds: Int32Array;
  /** Absent when the file has no graph for the collection, or the caller wants none. */
  graph?: GraphSearch;
  /** A filter as the scan's bitmap; absent when the collection declares no filterable field. */
  filter?: FilterBitmap;
}

/**
 * Reads a collection's vectors (and its filterable fields) once into memory for the SIMD scan (shared/ann/exact-scan.ts,
 * int8 codes re-scored in float32: exact, and faster than vec0 over mmap) and, with `withGraph`, opens its
 * graph over the same copy. Undefined when the collection is too large for one WebAssembly memory: vec0
 * then scans it from the file.
 */
export function openCollectionVectors(
  db: SqliteDatabase,
  collectionId: number,
  table: string,
  dims: number,
  options: { withGraph: boolean; kernel: WebAssembly.Module; columns?: readonly MetadataColumn[] },
): CollectionVectors | undefined {
  const stored = options.withGraph ? readGraph(db, collectionId) : undefined;
  const itemIds = stored?.nodeItems ?? itemsOf(db, collectionId);
  const walkScratch = stored ? graphScratchBytes(stored, dims) : 0;
  if (itemIds.length === 0 || ExactScan.bytesFor(itemIds.length, dims, walkScratch) > MAX_SCAN_BYTES)
    return undefined;
  const raw = readVectors(db, table, dims, itemIds);
  const scan = new ExactScan(raw, dims, {
    module: options.kernel,
    codes: 'int8',
    extraBytes: walkScratch,
  });
  return {
    itemIds,
    scan: (query, k, bitmap) => {
      const { rows, scores } = scan.search(query, k, bitmap);
      return { itemIds: rows.map((row) => itemIds[row]), scores };
    },
    ...(stored ? { graph: graphOverScan(stored, scan, raw, options.kernel) } : {}),
    ...(options.columns?.length
      ? { filter: readFilterColumns(db, collectionId, itemIds, options.columns) }
      : {}),
  };
}

function itemsOf(db: SqliteDatabase, collectionId: number): Int32Array {
  const ids = db
    .prepare('SELECT id FROM items WHERE collection_id = ? ORDER BY id')
    .pluck()
    .all(BigInt(collectionId));
  return Int32Array.from(z.array(z.number().int().positive()).parse(ids));
}
