/** A data row that could not be used, with where it is and why. */
export interface BadRow {
  file: string;
  line: number;
  reason: string;
}

/** How many bad rows are kept for messages; the count covers all of them. */
const KEPT = 20;

export class BadRowsError extends Error {}

/**
 * Collects bad rows while files are read. By default they are skipped and counted; `strict` turns them
 * into an error (thrown by `check`, once every file was read, so it lists the first ones at once).
 */
export class BadRows {
  #count = 0;
  readonly #first: BadRow[] = [];

  constructor(readonly strict: boolean) {}

  add(file: string, line: number, reason: string): void {
    this.#count++;
    if (this.#first.length < KEPT) this.#first.push({ file, line, reason });
  }

  get count(): number {
    return this.#count;
  }

  /** The first bad rows (at most 20), in the order they were found. */
  get first(): readonly BadRow[] {
    return this.#first;
  }

  /** Throws a BadRowsError listing the first bad rows when strict and any were found. */
  check(): void {
    if (!this.strict || this.#count === 0) return;
    const listed = this.#first.map(formatBadRow).join('\n  ');
    const more = this.#count > this.#first.length ? `\n  and ${this.#count - this.#first.length} more` : '';
    throw new BadRowsError(`${this.#count} bad rows (strict mode):\n  ${listed}${more}`);
  }
}

export function formatBadRow(row: BadRow): string {
  return `${row.file}:${row.line}: ${row.reason}`;
}
