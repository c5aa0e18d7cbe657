import { z } from 'zod';
import { readCsvRecords } from '../../util/csv.ts';
import type { BadRows } from './bad-rows.ts';
import { headerColumns } from './header.ts';

/** Column names of an item metadata CSV; the defaults are MovieLens's movies.csv. */
export const ItemColumnsSchema = z
  .object({
    id: z.string().min(1).default('movieId'),
    title: z.string().min(1).default('title'),
    categories: z.string().min(1).default('genres'),
    /** Separates the categories inside their field. */
    separator: z.string().min(1).default('|'),
  })
  .strict();
export type ItemColumns = z.infer<typeof ItemColumnsSchema>;

export interface CatalogItem {
  id: string;
  title: string;
  categories: string[];
  /** The year in parentheses at the end of the title ("Heat (1995)"), or null when there is none. */
  year: number | null;
}

/** MovieLens writes this instead of an empty category list. */
const NO_CATEGORIES = '(no genres listed)';
const TRAILING_YEAR = /\((\d{4})\)\s*$/;

/** The catalogue in file order. Rows without an id or title, or repeating an id, are bad rows. */
export function parseItems(text: string, file: string, columns: ItemColumns, bad: BadRows): CatalogItem[] {
  const records = readCsvRecords(text);
  const header = headerColumns(records.next(), file, [columns.id, columns.title, columns.categories]);
  const items: CatalogItem[] = [];
  const seen = new Set<string>();
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
    const id = fields[header.at[columns.id]].trim();
    const title = fields[header.at[columns.title]].trim();
    if (id === '' || title === '') {
      bad.add(file, line, `an empty ${id === '' ? columns.id : columns.title}`);
      continue;
    }
    if (seen.has(id)) {
      bad.add(file, line, `item ${id} appears again`);
      continue;
    }
    seen.add(id);
    const categories = fields[header.at[columns.categories]]
      .split(columns.separator)
      .map((c) => c.trim())
      .filter((c) => c !== '' && c !== NO_CATEGORIES);
    const year = TRAILING_YEAR.exec(title)?.[1];
    items.push({ id, title, categories, year: year === undefined ? null : Number(year) });
  }
  return items;
}
