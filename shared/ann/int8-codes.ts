/**
 * Unit vectors stored as int8 codes (one scale per row: code = round(127 x / max|x|)), scored against a
 * query by a small WebAssembly SIMD kernel. A graph search on 100k+ vectors waits mostly on memory (the
 * same query repeated runs 4x faster than distinct ones), so a quarter of the bytes per vector is most of
 * the gain; the kernel keeps the arithmetic from becoming the new cost (int8 in plain JavaScript is
 * slower than float32). Scores are approximate (within about 1% of the cosine); callers re-rank the final
 * candidates with the float32 vectors.
 *
 * The kernel is assembled here from its bytes (no toolchain): `score(query, codes, ids, count, out, dim)`
 * first reads two bytes of every listed row so the cache misses overlap, then writes for each listed row
 * the int32 dot product of the query's codes with the row's codes. dim must be a multiple of 16.
 */

const PAGE = 65536;

/**
 * Where codes already sit in a WebAssembly memory (a Workers index streams its file straight into one):
 * row r's codes at codesAt + r * dim, its scale at scales[r], and free room for the kernel's query, ids and
 * outputs from scratchAt (16-aligned, int8ScratchBytes long).
 */
export interface Int8CodesLayout {
  memory: WebAssembly.Memory;
  codesAt: number;
  scales: Float32Array;
  scratchAt: number;
}

/** The bytes the kernel's query, ids and outputs need past `scratchAt`. */
export function int8ScratchBytes(dim: number, maxBatch: number): number {
  return align(dim) + 8 * maxBatch + 16;
}

/** The kernel as a WebAssembly binary: workerd cannot compile it at run time, so its build ships this. */
export function int8KernelBytes(): Uint8Array<ArrayBuffer> {
  return module(KERNEL_BODY);
}

export class Int8Codes {
  private readonly memory: WebAssembly.Memory;
  private readonly score: (
    query: number,
    codes: number,
    ids: number,
    count: number,
    out: number,
    dim: number,
  ) => void;
  private readonly scales: Float32Array;
  private readonly codesAt: number;
  private readonly queryAt: number;
  private readonly idsAt: number;
  private readonly outAt: number;
  private readonly capacity: number;
  private queryScale = 0;
  /** Views of the kernel's ids and outputs, made once: a search scores many small batches. */
  private idsView: Int32Array;
  private dotsView: Int32Array;

  /**
   * `vectors`: row-major unit vectors of `dim` values, quantized into a memory of their own. `maxBatch`:
   * the most rows one score() call takes (the largest node degree of the graph). `kernel`: the compiled
   * kernel (int8KernelBytes), where the runtime cannot compile it.
   */
  static quantize(
    vectors: Float32Array,
    dim: number,
    maxBatch: number,
    kernel?: WebAssembly.Module,
  ): Int8Codes {
    checkDim(dim);
    const rows = vectors.length / dim;
    const scratchAt = align(rows * dim);
    const memory = new WebAssembly.Memory({
      initial: Math.ceil((scratchAt + int8ScratchBytes(dim, maxBatch)) / PAGE),
    });
    const scales = new Float32Array(rows);
    const codes = new Int8Array(memory.buffer, 0, rows * dim);
    for (let row = 0; row < rows; row++) scales[row] = quantizeRow(vectors, row * dim, dim, codes, row * dim);
    return new Int8Codes({ memory, codesAt: 0, scales, scratchAt }, dim, maxBatch, kernel);
  }

  /** Codes already in place (see Int8CodesLayout). */
  constructor(
    layout: Int8CodesLayout,
    readonly dim: number,
    maxBatch: number,
    kernel: WebAssembly.Module = new WebAssembly.Module(module(KERNEL_BODY)),
  ) {
    checkDim(dim);
    if (layout.scratchAt % 16 !== 0)
      throw new Error(`int8 scratch must be 16-aligned, got ${layout.scratchAt}`);
    if (layout.scratchAt + int8ScratchBytes(dim, maxBatch) > layout.memory.buffer.byteLength) {
      throw new Error('the int8 codes memory has no room for the kernel scratch');
    }
    this.memory = layout.memory;
    this.codesAt = layout.codesAt;
    this.scales = layout.scales;
    this.capacity = maxBatch;
    this.queryAt = layout.scratchAt;
    this.idsAt = align(this.queryAt + dim);
    this.outAt = this.idsAt + 4 * maxBatch;
    const instance = new WebAssembly.Instance(kernel, { env: { memory: this.memory } });
    this.score = instance.exports.score as Int8Codes['score'];
    this.idsView = new Int32Array(this.memory.buffer, this.idsAt, maxBatch);
    this.dotsView = new Int32Array(this.memory.buffer, this.outAt, maxBatch);
  }

  /** The most rows one scoreRows call takes. */
  get maxBatch(): number {
    return this.capacity;
  }

  /** The scale of the current query's codes (max |q| / 127): bounds the error of scoreRows. */
  get queryStep(): number {
    return this.queryScale;
  }

  /** Sets the query (a unit vector of `dim` values) that the following score calls compare against. */
  setQuery(query: Float32Array, offset = 0): void {
    const codes = new Int8Array(this.memory.buffer, this.queryAt, this.dim);
    this.queryScale = quantizeRow(query, offset, this.dim, codes, 0);
  }

  /** out[i] = approximate similarity of the query and row ids[i], for i < count (count <= maxBatch). */
  scoreRows(ids: Int32Array, count: number, out: Float32Array): void {
    if (count > this.capacity) throw new RangeError(`at most ${this.capacity} rows per call, got ${count}`);
    const buffer = this.memory.buffer;
    // A memory that grew since detached the views: make them again.
    if (this.idsView.buffer !== buffer) {
      this.idsView = new Int32Array(buffer, this.idsAt, this.capacity);
      this.dotsView = new Int32Array(buffer, this.outAt, this.capacity);
    }
    const { idsView, dotsView, scales } = this;
    for (let i = 0; i < count; i++) idsView[i] = ids[i];
    this.score(this.queryAt, this.codesAt, this.idsAt, count, this.outAt, this.dim);
    const scale = this.queryScale;
    for (let i = 0; i < count; i++) out[i] = dotsView[i] * scale * scales[ids[i]];
  }
}

function checkDim(dim: number): void {
  if (dim % 16 !== 0) throw new Error(`int8 codes need a dimension that is a multiple of 16, got ${dim}`);
}

/** Writes row codes and returns the row's scale (max |x| / 127; 0 for a zero row). */
export function quantizeRow(
  source: Float32Array,
  from: number,
  dim: number,
  target: Int8Array,
  to: number,
): number {
  let max = 0;
  for (let j = 0; j < dim; j++) max = Math.max(max, Math.abs(source[from + j]));
  const scale = max / 127;
  const inverse = max > 0 ? 127 / max : 0;
  for (let j = 0; j < dim; j++) target[to + j] = Math.round(source[from + j] * inverse);
  return scale;
}

function align(offset: number): number {
  return Math.ceil(offset / 16) * 16;
}

// ---- the kernel's bytes (WebAssembly binary format, with the fixed-width SIMD proposal) ----

const I32 = 0x7f;
const V128 = 0x7b;
const SIMD = 0xfd;
/** Parameters: query, codes, ids, count, out, dim (all i32); locals: i, row, j, acc (v128), sink. */
const [QUERY, CODES, IDS, COUNT, OUT, DIM, I, ROW, J, ACC, SINK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const i32 = (value: number) => [0x41, ...sleb(value)];
const add = [0x6a];
const mul = [0x6c];
const load32 = [0x28, 2, 0];
const store32 = [0x36, 2, 0];
const load8 = [0x2c, 0, 0];
const v128Load = [SIMD, 0x00, 4, 0];
const simd = (opcode: number) => [SIMD, ...uleb(opcode)];
const extendLow = simd(0x87); // i16x8.extend_low_i8x16_s
const extendHigh = simd(0x88); // i16x8.extend_high_i8x16_s
const dot = simd(0xba); // i32x4.dot_i16x8_s
const lanesAdd = simd(0xae); // i32x4.add
const lane = (index: number) => [...simd(0x1b), index]; // i32x4.extract_lane

/** `for (i = 0; i < count; i++) body` as block/loop with the exit test first. */
const forEachId = (body: number[]) => [
  ...i32(0),
  ...set(I),
  0x02,
  0x40, // block
  0x03,
  0x40, // loop
  ...get(I),
  ...get(COUNT),
  0x4e, // i32.ge_s
  0x0d,
  1, // br_if to the block's end
  // row = codes + ids[i] * dim
  ...get(CODES),
  ...get(IDS),
  ...get(I),
  ...i32(4),
  ...mul,
  ...add,
  ...load32,
  ...get(DIM),
  ...mul,
  ...add,
  ...set(ROW),
  ...body,
  ...get(I),
  ...i32(1),
  ...add,
  ...set(I),
  0x0c,
  0, // br to the loop's start
  0x0b,
  0x0b,
];

/** sink += row[0] + row[dim - 1]: touches both cache lines of a 128-byte row (and the last of any row). */
const touchRow = [
  ...get(SINK),
  ...get(ROW),
  ...load8,
  ...add,
  ...get(ROW),
  ...get(DIM),
  ...add,
  ...i32(-1),
  ...add,
  ...load8,
  ...add,
  ...set(SINK),
];

/** acc += dot(extend(query[j..j+16]), extend(row[j..j+16])) over j, then out[i] = sum of acc's lanes. */
const dotRow = [
  SIMD,
  0x0c,
  ...new Array(16).fill(0), // v128.const 0
  ...set(ACC),
  ...i32(0),
  ...set(J),
  0x02,
  0x40,
  0x03,
  0x40,
  ...get(J),
  ...get(DIM),
  0x4e,
  0x0d,
  1,
  ...get(ACC),
  ...get(QUERY),
  ...get(J),
  ...add,
  ...v128Load,
  ...extendLow,
  ...get(ROW),
  ...get(J),
  ...add,
  ...v128Load,
  ...extendLow,
  ...dot,
  ...lanesAdd,
  ...get(QUERY),
  ...get(J),
  ...add,
  ...v128Load,
  ...extendHigh,
  ...get(ROW),
  ...get(J),
  ...add,
  ...v128Load,
  ...extendHigh,
  ...dot,
  ...lanesAdd,
  ...set(ACC),
  ...get(J),
  ...i32(16),
  ...add,
  ...set(J),
  0x0c,
  0,
  0x0b,
  0x0b,
  // out[i] = lane0 + lane1 + lane2 + lane3
  ...get(OUT),
  ...get(I),
  ...i32(4),
  ...mul,
  ...add,
  ...get(ACC),
  ...lane(0),
  ...get(ACC),
  ...lane(1),
  ...add,
  ...get(ACC),
  ...lane(2),
  ...add,
  ...get(ACC),
  ...lane(3),
  ...add,
  ...store32,
];

const KERNEL_BODY = [
  ...forEachId(touchRow),
  // Keep the touching loads observable: store their sum just past the outputs.
  ...get(OUT),
  ...get(COUNT),
  ...i32(4),
  ...mul,
  ...add,
  ...get(SINK),
  ...store32,
  ...forEachId(dotRow),
];

/** The module around a function body: one import (env.memory), one export (score). */
function module(body: number[]): Uint8Array<ArrayBuffer> {
  const locals = [3, 3, I32, 1, V128, 1, I32]; // i, row, j: i32; acc: v128; sink: i32
  const code = [...locals, ...body, 0x0b];
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (text: string) => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 0]), // type: (6 x i32) -> ()
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]), // import memory, min 1 page
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, ...name('score'), 0x00, 0]), // export it
    ...section(10, [1, ...uleb(code.length), ...code]),
  ]);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}
