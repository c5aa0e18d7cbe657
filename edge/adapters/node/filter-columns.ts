import { z } from 'zod';
import { fullBitmap, keepMatching } from '../../../shared/ann/filter-bitmap.ts';
import type { SqliteDatabase } from '../../../shared/db/better-sqlite.ts';
import type { MetadataColumn } from '../../../shared/db/index-schema.ts';
import type { FilterValue, MetadataFilter } from '../../ports.ts';

/** A filter as the bitmap of the scan's rows it selects (see shared/ann/filter-bitmap.ts). */
export type FilterBitmap = (filter: MetadataFilter) => Uint8Array;

const ItemMetadataSchema = z.object({ id: z.number().int(), metadata: z.string() });

/**
 * The collection's filterable fields as columns of numbers over the scan's rows (row r = item
 * `itemIds[r]`), read once from items.metadata: the builder checked every declared field's type and wrote
 * the same values to vec0's metadata columns, so a filter selects the rows vec0's WHERE would. Text is kept
 * as dictionary codes, booleans as 0 and 1. The filter must already have been checked against the columns
 * (knn-query.ts's filterConditions: known fields, values of the column's type).
 */
export function readFilterColumns(
  db: SqliteDatabase,
  collectionId: number,
  itemIds: Int32Array,
  columns: readonly MetadataColumn[],
): FilterBitmap {
  const rowOf = new Map<number, number>();
  itemIds.forEach((id, row) => rowOf.set(id, row));
  const values = new Map(columns.map((column) => [column.name, new Float64Array(itemIds.length)]));
  const dictionaries = new Map(columns.map((column) => [column.name, new Map<string, number>()]));
  const rows = db.prepare('SELECT id, metadata FROM items WHERE collection_id = ?').all(BigInt(collectionId));
  for (const raw of rows) {
    const item = ItemMetadataSchema.parse(raw);
    const row = rowOf.get(item.id);
    if (row === undefined) continue;
    const metadata = z.record(z.string(), z.unknown()).parse(JSON.parse(item.metadata));
    for (const column of columns) {
      const value = metadata[column.name];
      values.get(column.name)![row] = encode(column, value, dictionaries.get(column.name)!);
    }
  }
  return (filter) => {
    const bitmap = fullBitmap(itemIds.length);
    for (const [name, wanted] of Object.entries(filter)) {
      const column = columns.find((c) => c.name === name);
      if (!column) throw new RangeError(`cannot filter on "${name}"`);
      const list: readonly FilterValue[] = Array.isArray(wanted) ? wanted : [wanted as FilterValue];
      const dictionary = dictionaries.get(name)!;
      const codes = list.flatMap((value) =>
        column.type === 'text' && !dictionary.has(String(value)) ? [] : [encode(column, value, dictionary)],
      );
      keepMatching(bitmap, values.get(name)!, codes);
    }
    return bitmap;
  };
}

/** A value as a number of its column: text through the dictionary (adding new text), booleans as 0 or 1. */
function encode(column: MetadataColumn, value: unknown, dictionary: Map<string, number>): number {
  switch (column.type) {
    case 'text': {
      const text = String(value);
      if (!dictionary.has(text)) dictionary.set(text, dictionary.size);
      return dictionary.get(text)!;
    }
    case 'boolean':
      return value === true ? 1 : 0;
    default:
      return Number(value);
  }
}
