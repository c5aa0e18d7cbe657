import { z } from 'zod';
import { readCsvRecords } from '../../util/csv.ts';
import type { BadRows } from './bad-rows.ts';
import { headerColumns } from './header.ts';

/** Column names of an interaction CSV; the defaults are MovieLens's ratings.csv. */
export const InteractionColumnsSchema = z
  .object({
    user: z.string().min(1).default('userId'),
    item: z.string().min(1).default('movieId'),
    /** null: the file has no rating column and every interaction counts as positive. */
    rating: z.string().min(1).nullable().default('rating'),
    /** Seconds since the epoch (MovieLens) or any other number that orders a user's interactions. */
    timestamp: z.string().min(1).default('timestamp'),
  })
  .strict();
export type InteractionColumns = z.infer<typeof InteractionColumnsSchema>;

export interface Interaction {
  user: string;
  item: string;
  rating: number | null;
  timestamp: number;
  /** Where it was read, to break timestamp ties in file order. */
  order: number;
}

/**
 * Interactions in file order. Rows with an empty user or item, an item missing from the catalogue, or a
 * rating or timestamp that is not a finite number are bad rows; an empty rating means an implicit
 * interaction.
 */
export function parseInteractions(
  text: string,
  file: string,
  columns: InteractionColumns,
  knownItems: ReadonlySet<string>,
  bad: BadRows,
  firstOrder = 0,
): Interaction[] {
  const records = readCsvRecords(text);
  const required = [
    columns.user,
    columns.item,
    columns.timestamp,
    ...(columns.rating ? [columns.rating] : []),
  ];
  const header = headerColumns(records.next(), file, required);
  const interactions: Interaction[] = [];
  for (const record of records) {
    if ('error' in record) {
      bad.add(file, record.line, record.error);
      continue;
    }
    const { fields, line } = record;
    if (fields.length !== header.width) {
      bad.add(file, line, `${fields.length} fields, the header has ${header.width}`);
      continue;
    }
    const field = (column: string) => fields[header.at[column]].trim();
    const row = {
      user: field(columns.user),
      item: field(columns.item),
      timestamp: numberOf(field(columns.timestamp)),
      // An empty rating is an implicit interaction (a view, a purchase): positive, like a file without ratings.
      rating: columns.rating && field(columns.rating) !== '' ? numberOf(field(columns.rating)) : null,
    };
    const problem = problemOf(row, columns, knownItems);
    if (problem) {
      bad.add(file, line, problem);
      continue;
    }
    interactions.push({
      user: row.user,
      item: row.item,
      rating: row.rating ?? null,
      timestamp: row.timestamp!,
      order: firstOrder + interactions.length,
    });
  }
  return interactions;
}

interface RawRow {
  user: string;
  item: string;
  timestamp: number | undefined;
  /** undefined: not a number; null: the file has no ratings. */
  rating: number | null | undefined;
}

function problemOf(
  row: RawRow,
  columns: InteractionColumns,
  knownItems: ReadonlySet<string>,
): string | undefined {
  if (row.user === '') return `an empty ${columns.user}`;
  if (row.item === '') return `an empty ${columns.item}`;
  if (!knownItems.has(row.item)) return `item ${row.item} is not in the item file`;
  if (row.timestamp === undefined) return `${columns.timestamp} is not a number`;
  if (row.rating === undefined) return `${columns.rating} is not a number`;
  return undefined;
}

/** A finite number, or undefined for anything else (including the empty string, which Number reads as 0). */
function numberOf(text: string): number | undefined {
  if (text === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
