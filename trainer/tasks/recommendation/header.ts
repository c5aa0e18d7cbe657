import type { CsvRecord } from '../../util/csv.ts';

export interface Header {
  /** Field position of each required column. */
  at: Record<string, number>;
  /** Fields in the header: every row must have as many. */
  width: number;
}

/** Reads a CSV header and finds the required columns; a missing one fails the whole file. */
export function headerColumns(
  first: IteratorResult<CsvRecord, void>,
  file: string,
  required: readonly string[],
): Header {
  if (first.done) throw new Error(`${file} is empty: it needs a header row`);
  const record = first.value;
  if ('error' in record)
    throw new Error(`${file}:${record.line}: the header cannot be read (${record.error})`);
  const names = record.fields.map((f) => f.trim().replace(/^\uFEFF/, ''));
  const at: Record<string, number> = {};
  for (const column of required) {
    const index = names.indexOf(column);
    if (index < 0) {
      throw new Error(
        `${file}:${record.line}: the header has no "${column}" column (it has ${names.join(', ')})`,
      );
    }
    at[column] = index;
  }
  return { at, width: names.length };
}
