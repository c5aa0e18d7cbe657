/**
 * The exact-scan kernel (scan-kernel/assembly/scan.ts, WebAssembly SIMD, built to scan-kernel/scan.wasm):
 * one compiled module serves Node and the Worker, whose runtime cannot compile WebAssembly from bytes and
 * imports the .wasm instead. This file lays out the kernel's scratch (query, filter bitmap, heap, candidate
 * rows) in the caller's memory and reads the heap back as hits. Rows are `stride` values long, stride a
 * multiple of 16 (see scanStride).
 */

/** The most hits one scan returns (the edge's MAX_K). */
export const SCAN_MAX_K = 4096;

export interface ScanKernel {
  scanF32(
    query: number,
    vectors: number,
    rows: number,
    stride: number,
    bitmap: number,
    k: number,
    heapScores: number,
    heapRows: number,
  ): number;
  rescoreF32(
    query: number,
    vectors: number,
    stride: number,
    ids: number,
    count: number,
    k: number,
    heapScores: number,
    heapRows: number,
  ): number;
  candidatesI8(
    query16: number,
    queryStep: number,
    codes: number,
    scales: number,
    rows: number,
    stride: number,
    bitmap: number,
    k: number,
    heapScores: number,
    heapRows: number,
    ids: number,
  ): number;
  sumF32(values: number, count: number): number;
  walkI8(
    query16: number,
    queryStep: number,
    codes: number,
    scales: number,
    stride: number,
    links: number,
    degree: number,
    entry: number,
    ef: number,
    visited: number,
    epoch: number,
    candKeys: number,
    candRows: number,
    foundScores: number,
    foundRows: number,
    batch: number,
  ): number;
}

/**
 * Writes a unit vector's int8 codes (code = round(127 x / max|x|), as int8-codes.ts quantizes rows)
 * widened to int16, zero-padded to the target's length; returns their step (max |x| / 127).
 */
export function setQueryCodes16(unit: ArrayLike<number>, target: Int16Array): number {
  let max = 0;
  for (let j = 0; j < unit.length; j++) max = Math.max(max, Math.abs(unit[j]));
  const inverse = max > 0 ? 127 / max : 0;
  target.fill(0);
  for (let j = 0; j < unit.length; j++) target[j] = Math.round(unit[j] * inverse);
  return max / 127;
}

/** Hits best first: rows and their similarities; ties go to the lower row. */
export interface ScanHits {
  rows: Int32Array;
  scores: Float32Array;
}

/** A row's length in the kernel's layout: the dimension rounded up to a multiple of 16. */
export function scanStride(dim: number): number {
  return Math.ceil(dim / 16) * 16;
}

/** The bytes ScanScratch needs for `rows` rows of `stride` values. */
export function scanScratchBytes(stride: number, rows: number): number {
  return align(4 * stride) + align(2 * stride) + align(Math.ceil(rows / 8)) + 8 * SCAN_MAX_K + 4 * rows;
}

/** The kernel's scratch at a 16-aligned offset of a memory that does not grow afterwards. */
export class ScanScratch {
  readonly kernel: ScanKernel;
  readonly queryAt: number;
  readonly query16At: number;
  readonly bitmapAt: number;
  readonly heapScoresAt: number;
  readonly heapRowsAt: number;
  readonly idsAt: number;
  private readonly query: Float32Array;
  private readonly query16: Int16Array;
  private readonly bitmap: Uint8Array;

  constructor(
    module: WebAssembly.Module,
    readonly memory: WebAssembly.Memory,
    at: number,
    readonly stride: number,
    readonly rows: number,
  ) {
    if (at % 16 !== 0 || stride % 16 !== 0) throw new Error('scan scratch and rows must be 16-aligned');
    if (at + scanScratchBytes(stride, rows) > memory.buffer.byteLength)
      throw new Error('the scan memory has no room for its scratch');
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.kernel = instance.exports as unknown as ScanKernel;
    this.queryAt = at;
    this.query16At = this.queryAt + align(4 * stride);
    this.bitmapAt = this.query16At + align(2 * stride);
    this.heapScoresAt = this.bitmapAt + align(Math.ceil(rows / 8));
    this.heapRowsAt = this.heapScoresAt + 4 * SCAN_MAX_K;
    this.idsAt = this.heapRowsAt + 4 * SCAN_MAX_K;
    const buffer = memory.buffer;
    this.query = new Float32Array(buffer, this.queryAt, stride);
    this.query16 = new Int16Array(buffer, this.query16At, stride);
    this.bitmap = new Uint8Array(buffer, this.bitmapAt, Math.ceil(rows / 8));
  }

  /** Writes a unit query (its dimension, zero-padded to the stride); returns where it is. */
  setQuery(unit: ArrayLike<number>): number {
    this.query.fill(0);
    this.query.set(unit);
    return this.queryAt;
  }

  /** Writes the query's int8 codes widened to int16 (setQueryCodes16); returns their step. */
  setQueryCodes(unit: ArrayLike<number>): number {
    return setQueryCodes16(unit, this.query16);
  }

  /** Copies a filter's bitmap (bit r of byte r >> 3 set: row r may be returned); returns where it is. */
  setBitmap(bitmap: Uint8Array | undefined): number {
    if (!bitmap) return 0;
    if (bitmap.length !== this.bitmap.length)
      throw new RangeError(`a filter bitmap of ${this.rows} rows has ${this.bitmap.length} bytes`);
    this.bitmap.set(bitmap);
    return this.bitmapAt;
  }

  /**
   * The rows that can be in the exact top k of the query set by setQueryCodes (its `step`), from int8
   * codes at `codesAt` (stride bytes a row) and their scales at `scalesAt` (see candidatesI8), among the
   * rows the bitmap at `bitmapAt` selects (0: all): ascending, to be re-scored exactly.
   */
  candidates(step: number, codesAt: number, scalesAt: number, bitmapAt: number, k: number): Int32Array {
    const count = this.kernel.candidatesI8(
      this.query16At,
      step,
      codesAt,
      scalesAt,
      this.rows,
      this.stride,
      bitmapAt,
      k,
      this.heapScoresAt,
      this.heapRowsAt,
      this.idsAt,
    );
    return new Int32Array(this.memory.buffer, this.idsAt, count);
  }

  /** The heap's `size` pairs, best first (higher score, then lower row). */
  drain(size: number): ScanHits {
    const buffer = this.memory.buffer;
    const scores = new Float32Array(buffer, this.heapScoresAt, size);
    const rows = new Int32Array(buffer, this.heapRowsAt, size);
    const order = Array.from({ length: size }, (_, i) => i).sort(
      (a, b) => scores[b] - scores[a] || rows[a] - rows[b],
    );
    return {
      rows: Int32Array.from(order, (i) => rows[i]),
      scores: Float32Array.from(order, (i) => scores[i]),
    };
  }
}

/** Checks a scan's k (1..SCAN_MAX_K) and returns how many hits it can give (no more than the rows). */
export function scanK(k: number, rows: number): number {
  if (!Number.isInteger(k) || k < 1 || k > SCAN_MAX_K)
    throw new RangeError(`k must be an integer in 1..${SCAN_MAX_K}, got ${k}`);
  return Math.min(k, rows);
}

export function align(offset: number): number {
  return Math.ceil(offset / 16) * 16;
}
