import type { Int8CodesLayout } from './int8-codes.ts';
import { quantizeRow } from './int8-codes.ts';
import { align, type ScanHits, ScanScratch, scanK, scanScratchBytes, scanStride } from './scan-kernel.ts';

const PAGE = 65536;
/** Past this a scan's memory would crowd the 4 GiB a WebAssembly memory can address: callers fall back. */
export const MAX_SCAN_BYTES = 2 ** 31;

export interface ExactScanOptions {
  /** The compiled kernel (scan-kernel/scan.wasm). */
  module: WebAssembly.Module;
  /**
   * 'int8': the scan reads int8 codes (a quarter of the bytes) and re-scores in float32 only the rows
   * whose int8 score, within its error bound, could reach the top k: the same exact answer, faster.
   * 'float32': every row's float32 vector is read.
   */
  codes: 'int8' | 'float32';
  /** Room kept past the rows for the caller (a graph walk on the same codes), at `extraAt`. */
  extraBytes?: number;
}

/**
 * Exact top-k by cosine over vectors held in one WebAssembly memory, scanned by the SIMD kernel: unit
 * rows in float32 (zero-padded to the stride), their int8 codes and scales, then the kernel's scratch.
 * The memory never grows, so views into it stay valid. Searches must not interleave (they share the
 * scratch); they are synchronous, so on one JavaScript thread they cannot.
 */
export class ExactScan {
  readonly memory: WebAssembly.Memory;
  readonly stride: number;
  /** Unit rows, `stride` values each. */
  readonly vectors: Float32Array;
  readonly codesAt: number;
  /** Each row's code scale (max |x| / 127). */
  readonly scales: Float32Array;
  /** Where the caller's `extraBytes` start (16-aligned). */
  readonly extraAt: number;
  private readonly scratch: ScanScratch;

  /** The bytes a scan of `rows` rows of `dim` values needs. */
  static bytesFor(rows: number, dim: number, extraBytes = 0): number {
    const stride = scanStride(dim);
    return (
      align(rows * stride * 4) +
      align(rows * stride) +
      align(rows * 4) +
      align(extraBytes) +
      scanScratchBytes(stride, rows)
    );
  }

  /** Normalises and lays out row-major `vectors` of `dim` values (every row non-zero). */
  constructor(
    vectors: Float32Array,
    readonly dim: number,
    private readonly options: ExactScanOptions,
  ) {
    const rows = vectors.length / dim;
    if (!Number.isInteger(rows)) throw new Error(`expected rows of ${dim} values, got ${vectors.length}`);
    this.rows = rows;
    const stride = scanStride(dim);
    this.stride = stride;
    const bytes = ExactScan.bytesFor(rows, dim, options.extraBytes);
    if (bytes > MAX_SCAN_BYTES) throw new RangeError(`${rows} rows of ${dim} need ${bytes} bytes`);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) });
    const buffer = this.memory.buffer;
    this.vectors = new Float32Array(buffer, 0, rows * stride);
    this.codesAt = align(rows * stride * 4);
    const codes = new Int8Array(buffer, this.codesAt, rows * stride);
    const scalesAt = this.codesAt + align(rows * stride);
    this.scales = new Float32Array(buffer, scalesAt, rows);
    this.extraAt = scalesAt + align(rows * 4);
    for (let row = 0; row < rows; row++) {
      let squared = 0;
      for (let j = 0; j < dim; j++) squared += vectors[row * dim + j] * vectors[row * dim + j];
      const scale = squared > 0 ? 1 / Math.sqrt(squared) : 0;
      for (let j = 0; j < dim; j++) this.vectors[row * stride + j] = vectors[row * dim + j] * scale;
      this.scales[row] = quantizeRow(this.vectors, row * stride, stride, codes, row * stride);
    }
    this.scratch = new ScanScratch(
      options.module,
      this.memory,
      this.extraAt + align(options.extraBytes ?? 0),
      stride,
      rows,
    );
  }

  readonly rows: number;

  /** Where Int8Codes finds these rows' codes (graph walks share them), its scratch at `scratchAt`. */
  int8Layout(scratchAt: number): Int8CodesLayout {
    return { memory: this.memory, codesAt: this.codesAt, scales: this.scales, scratchAt };
  }

  /**
   * The k rows most similar to `query` (a finite non-zero vector of `dim` values; normalised here), best
   * first, ties to the lower row; with `bitmap` (bit r & 7 of byte r >> 3 set: row r may be returned),
   * only among the rows it selects. Fewer than k when fewer rows qualify.
   */
  search(query: Float32Array, k: number, bitmap?: Uint8Array): ScanHits {
    const wanted = scanK(k, this.rows);
    const unit = unitQuery(query, this.dim);
    const { scratch, stride, rows } = this;
    const { kernel, heapScoresAt, heapRowsAt } = scratch;
    const queryAt = scratch.setQuery(unit);
    const bitmapAt = scratch.setBitmap(bitmap);
    if (this.options.codes === 'float32') {
      const size = kernel.scanF32(queryAt, 0, rows, stride, bitmapAt, wanted, heapScoresAt, heapRowsAt);
      return scratch.drain(size);
    }
    const step = scratch.setQueryCodes(unit);
    const ids = scratch.candidates(step, this.codesAt, this.scales.byteOffset, bitmapAt, wanted);
    const size = kernel.rescoreF32(
      queryAt,
      0,
      stride,
      ids.byteOffset,
      ids.length,
      wanted,
      heapScoresAt,
      heapRowsAt,
    );
    return scratch.drain(size);
  }
}

/** The query scaled to unit length; RangeError for a wrong length, a non-finite value or the zero vector. */
export function unitQuery(query: Float32Array, dim: number): Float32Array {
  if (query.length !== dim) throw new RangeError(`the query has ${query.length} values, expected ${dim}`);
  let squared = 0;
  for (const value of query) squared += value * value;
  if (!(squared > 0) || !Number.isFinite(squared))
    throw new RangeError('the query must be finite and non-zero');
  const scale = 1 / Math.sqrt(squared);
  return query.map((value) => value * scale);
}
