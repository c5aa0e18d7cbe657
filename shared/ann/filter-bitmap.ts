/**
 * Metadata filters as row bitmaps for the scan kernel (bit r & 7 of byte r >> 3 set: row r may be
 * returned): each filterable field is a column of numbers (text as dictionary codes, booleans as 0/1),
 * and a filter clears, one column at a time, the rows whose value is none of the wanted ones.
 */

/** All rows selected, to be narrowed by keepMatching. */
export function fullBitmap(rows: number): Uint8Array {
  return new Uint8Array(Math.ceil(rows / 8)).fill(0xff);
}

/** Clears the bit of every row whose value is none of `wanted` (a short list compared in place). */
export function keepMatching(
  bitmap: Uint8Array,
  values: Float64Array | Uint32Array,
  wanted: readonly number[],
): void {
  const list = Float64Array.from(wanted);
  const set = list.length > 8 ? new Set(wanted) : undefined;
  for (let row = 0; row < values.length; row++) {
    const value = values[row];
    let found = false;
    if (set) found = set.has(value);
    else for (let i = 0; i < list.length && !found; i++) found = list[i] === value;
    if (!found) bitmap[row >> 3] &= ~(1 << (row & 7));
  }
}
