import type { HnswLayer } from './hnsw-layer.ts';
import { align, type ScanKernel, setQueryCodes16 } from './scan-kernel.ts';

/** The widest search a walk takes (SearchOptions' largest ef). */
export const WALK_MAX_EF = 4096;

/**
 * Where a graph's int8 codes sit in a WebAssembly memory (see ExactScan or a Workers shard): row r's
 * codes at codesAt + r * stride, its scale at scalesAt + 4r.
 */
export interface WalkCodes {
  memory: WebAssembly.Memory;
  codesAt: number;
  scalesAt: number;
  stride: number;
  rows: number;
}

/** The bytes GraphWalk needs past `at`: layer 0's links (unless already in memory) and its scratch. */
export function walkBytes(rows: number, degree: number, stride: number, copyLinks: boolean): number {
  const links = copyLinks ? align(rows * degree * 4) : 0;
  return links + align(2 * stride) + align(rows * 4) + align(rows * 8) + 8 * WALK_MAX_EF + align(4 * degree);
}

/**
 * The layer-0 search of an HNSW graph run by the SIMD kernel (scan-kernel's walkI8) on int8 codes: the
 * candidate and result heaps, the visited marks and the scoring all stay in WebAssembly, where the
 * JavaScript walk paid a call and a copy per expanded node. Layer 0's links are copied into the memory at
 * `at` unless `linksAt` says where they already are. Searches must not interleave (shared scratch).
 */
export class GraphWalk {
  private readonly kernel: ScanKernel;
  private readonly linksAt: number;
  private readonly degree: number;
  private readonly query16At: number;
  private readonly visitedAt: number;
  private readonly candKeysAt: number;
  private readonly candRowsAt: number;
  private readonly foundScoresAt: number;
  private readonly foundRowsAt: number;
  private readonly batchAt: number;
  private readonly visited: Uint32Array;
  private readonly query16: Int16Array;
  private epoch = 0;

  constructor(
    module: WebAssembly.Module,
    private readonly codes: WalkCodes,
    layer0: HnswLayer,
    at: number,
    linksAt?: number,
  ) {
    const { memory, rows, stride } = codes;
    if (layer0.nodes.length !== rows)
      throw new Error(`layer 0 has ${layer0.nodes.length} nodes, codes ${rows}`);
    if (at % 16 !== 0) throw new Error('a walk scratch must be 16-aligned');
    const { degree } = layer0;
    this.degree = degree;
    if (at + walkBytes(rows, degree, stride, linksAt === undefined) > memory.buffer.byteLength)
      throw new Error('the walk memory has no room for its links and scratch');
    this.kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as ScanKernel;
    let next = at;
    if (linksAt === undefined) {
      new Int32Array(memory.buffer, at, rows * degree).set(layer0.links);
      this.linksAt = at;
      next += align(rows * degree * 4);
    } else {
      this.linksAt = linksAt;
    }
    this.query16At = next;
    this.visitedAt = this.query16At + align(2 * stride);
    this.candKeysAt = this.visitedAt + align(rows * 4);
    this.candRowsAt = this.candKeysAt + align(rows * 4);
    this.foundScoresAt = this.candRowsAt + align(rows * 4);
    this.foundRowsAt = this.foundScoresAt + 4 * WALK_MAX_EF;
    this.batchAt = this.foundRowsAt + 4 * WALK_MAX_EF;
    this.visited = new Uint32Array(memory.buffer, this.visitedAt, rows);
    this.query16 = new Int16Array(memory.buffer, this.query16At, stride);
  }

  /** The `ef` (at most WALK_MAX_EF) nodes the walk from `entry` keeps, in no order, for a unit query. */
  search(query: ArrayLike<number>, entry: number, ef: number): Int32Array {
    if (!(ef >= 1 && ef <= WALK_MAX_EF)) throw new RangeError(`ef must be in 1..${WALK_MAX_EF}, got ${ef}`);
    const { codes } = this;
    const step = setQueryCodes16(query, this.query16);
    const found = this.kernel.walkI8(
      this.query16At,
      step,
      codes.codesAt,
      codes.scalesAt,
      codes.stride,
      this.linksAt,
      this.degree,
      entry,
      ef,
      this.visitedAt,
      this.nextEpoch(),
      this.candKeysAt,
      this.candRowsAt,
      this.foundScoresAt,
      this.foundRowsAt,
      this.batchAt,
    );
    return new Int32Array(codes.memory.buffer, this.foundRowsAt, found).slice();
  }

  private nextEpoch(): number {
    if (this.epoch === 0xffffffff) {
      this.visited.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }
}
