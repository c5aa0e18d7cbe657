import { type MetadataColumn, vectorProblem } from '../../shared/db/index-schema.ts';
import type { FilterValue, MetadataFilter } from '../ports.ts';

/**
 * The KNN query over one collection's vec0 table, shared by the Node and Workers adapters and bound to no
 * SQLite binding: the filter becomes one
 * `column = ?` or `column IN (?, ...)` condition per field inside vec0's WHERE, so vec0 returns the exact
 * top k among the matching items. Column names come from the table's own declaration, never from the
 * request.
 */

export function knnSql(table: string, conditions: readonly string[] = []): string {
  const where = ['embedding MATCH ?', 'k = ?', ...conditions].join(' AND ');
  return `SELECT items.external_id AS id, items.text AS text, items.metadata AS metadata, knn.distance AS distance
       FROM (SELECT rowid, distance FROM ${table} WHERE ${where}) AS knn
       JOIN items ON items.id = knn.rowid
       ORDER BY knn.distance`;
}

export type BoundValue = bigint | number | string;

/** The conditions and their bound values for a filter; RangeError for fields or values the table cannot take. */
export function filterConditions(
  collection: string,
  columns: ReadonlyMap<string, MetadataColumn>,
  filter: MetadataFilter,
): { conditions: string[]; values: BoundValue[] } {
  const conditions: string[] = [];
  const values: BoundValue[] = [];
  for (const [name, wanted] of Object.entries(filter)) {
    const column = columns.get(name);
    if (!column) throw new RangeError(`collection "${collection}" cannot filter on "${name}"`);
    const list: readonly FilterValue[] = Array.isArray(wanted) ? wanted : [wanted as FilterValue];
    if (list.length === 0) throw new RangeError(`the filter on "${name}" lists no value`);
    conditions.push(
      list.length === 1 ? `${column.name} = ?` : `${column.name} IN (${list.map(() => '?').join(', ')})`,
    );
    values.push(...list.map((value) => columnValue(column, value)));
  }
  return { conditions, values };
}

/**
 * A value as vec0 stores and compares it in the column (integers and booleans as 64-bit integers);
 * RangeError when it is not of the column's type.
 */
export function columnValue(column: MetadataColumn, value: unknown): BoundValue {
  const wrong = () =>
    new RangeError(`"${column.name}" takes ${column.type} values, got ${JSON.stringify(value)}`);
  switch (column.type) {
    case 'integer':
      if (!Number.isSafeInteger(value)) throw wrong();
      return BigInt(value as number);
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong();
      return value;
    case 'text':
      if (typeof value !== 'string') throw wrong();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return BigInt(value ? 1 : 0);
  }
}

/** vec0's own ceiling on k, which every index adapter keeps; the HTTP API allows less. */
export const MAX_K = 4096;

/** RangeError for a query a collection of `dims` cannot take, or a k outside 1..MAX_K. */
export function checkSearchArguments(query: Float32Array, dims: number, k: number): void {
  const problem = vectorProblem(query, dims);
  if (problem) throw new RangeError(`the query ${problem}`);
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
    throw new RangeError(`k must be an integer in 1..${MAX_K}, got ${k}`);
  }
}
