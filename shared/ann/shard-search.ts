import { fullBitmap, keepMatching } from './filter-bitmap.ts';
import { HnswSearcher, widestDegree } from './hnsw-graph.ts';
import type { HnswLayer } from './hnsw-layer.ts';
import { Int8Codes, int8ScratchBytes } from './int8-codes.ts';
import { ScanScratch, scanK, scanScratchBytes } from './scan-kernel.ts';
import { readShardHeader, SHARD_ALIGN, type ShardColumn, type ShardHeader } from './shard-file.ts';

/** Rows the graph walk's int8 kernel may score per call (its scratch). */
const SCAN_BATCH = 1024;
const PAGE = 65536;

export type ShardFilterValue = string | number | boolean;
/** Field -> the value it must equal, or values one of which it must equal; fields AND (as the edge's filter). */
export type ShardFilter = Readonly<Record<string, ShardFilterValue | readonly ShardFilterValue[]>>;

/** A shard's hits, best first: rows local to the shard and their cosine similarities. */
export interface ShardHits {
  rows: Int32Array;
  scores: Float64Array;
}

/** The widest row (values) and node degree a shard may have: bound the kernel scratch past the file. */
const MAX_STRIDE = 4096;
const MAX_DEGREE = 256;

/**
 * A WebAssembly memory that holds a shard file of `fileBytes` at offset 0, and the int8 kernel's scratch;
 * the searcher grows it by the exact scan's scratch once it knows the shard's rows.
 */
export function shardMemory(fileBytes: number): WebAssembly.Memory {
  const scratch = int8ScratchBytes(MAX_STRIDE, Math.max(SCAN_BATCH, MAX_DEGREE));
  return new WebAssembly.Memory({ initial: Math.ceil((alignUp(fileBytes) + scratch) / PAGE) });
}

/**
 * Searches one shard in place: its file sits at offset 0 of `memory` (streamed there, never copied).
 * Without a filter a shard with a graph is walked as on Node (the same HnswSearcher, int8 walk, ef
 * candidates), and the candidates are re-ranked by the two-stage codes; otherwise the SIMD scan kernel
 * (scan-kernel.ts, the one the Node index scans with) scores every row the filter's bitmap selects on its
 * int8 codes and keeps only the rows whose score could still reach the top k, which are re-scored by the
 * two-stage codes. The int8 error bound makes that selection exact: the result is the true top k by the
 * two-stage score.
 */
export class ShardSearcher {
  readonly header: ShardHeader;
  private readonly codes: Int8Codes;
  private readonly scales: Float32Array;
  private readonly residual: Int8Array;
  private readonly codesView: Int8Array;
  private readonly residualScales: Float32Array;
  private readonly offsets: Uint32Array;
  private readonly graph?: HnswSearcher;
  private readonly columns: Map<string, { column: ShardColumn; values: Float64Array | Uint32Array }>;
  private readonly padded: Float32Array;
  private readonly scanScratch: ScanScratch;
  private readonly codesAt: number;

  /**
   * `kernels.scan`: the exact-scan kernel (scan-kernel/scan.wasm); `kernels.int8`: the graph walk's
   * (int8KernelBytes), where the runtime cannot compile it from bytes.
   */
  constructor(
    memory: WebAssembly.Memory,
    fileBytes: number,
    source: string,
    kernels: { scan: WebAssembly.Module; int8?: WebAssembly.Module },
  ) {
    const header = readShardHeader(new Uint8Array(memory.buffer, 0, fileBytes), source);
    this.header = header;
    const { rows, stride } = header;
    const int8At = alignUp(fileBytes);
    const scanAt = alignUp(int8At + int8ScratchBytes(MAX_STRIDE, Math.max(SCAN_BATCH, MAX_DEGREE)));
    const needed = scanAt + scanScratchBytes(stride, rows);
    if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    // Views are taken after the growth, which detaches the buffer that was.
    const buffer = memory.buffer;
    const section = (name: string) => {
      const found = header.sections[name];
      if (!found) throw new Error(`${source} has no section ${name}`);
      return found;
    };
    const view = <T>(
      name: string,
      make: (buffer: ArrayBuffer, offset: number, length: number) => T,
      size: number,
    ) => {
      const { offset, bytes } = section(name);
      return make(buffer, offset, bytes / size);
    };
    this.scales = view('scales', (b, o, n) => new Float32Array(b, o, n), 4);
    this.codesView = view('codes', (b, o, n) => new Int8Array(b, o, n), 1);
    this.residual = view('residual', (b, o, n) => new Int8Array(b, o, n), 1);
    this.residualScales = view('residualScales', (b, o, n) => new Float32Array(b, o, n), 4);
    this.offsets = view('itemOffsets', (b, o, n) => new Uint32Array(b, o, n), 4);
    if (this.codesView.length !== rows * stride || this.offsets.length !== rows + 1) {
      throw new Error(`${source}: sections do not match ${rows} rows`);
    }
    const layers: HnswLayer[] = (header.graph?.layers ?? []).map((layer, level) => ({
      degree: layer.degree,
      nodes: view(`layer${level}.nodes`, (b, o, n) => new Int32Array(b, o, n), 4),
      links: view(`layer${level}.links`, (b, o, n) => new Int32Array(b, o, n), 4),
    }));
    const maxBatch = Math.max(SCAN_BATCH, widestDegree(layers));
    this.codesAt = section('codes').offset;
    this.codes = new Int8Codes(
      { memory, codesAt: this.codesAt, scales: this.scales, scratchAt: int8At },
      stride,
      maxBatch,
      kernels.int8,
    );
    this.scanScratch = new ScanScratch(kernels.scan, memory, scanAt, stride, rows);
    if (header.graph && rows > 0) {
      this.graph = new HnswSearcher(
        { dim: stride, vectors: new Float32Array(0), entry: header.graph.entry, layers },
        this.codes,
        (query, node) => this.exact(query, node),
      );
    }
    this.columns = new Map(
      header.columns.map((column) => [
        column.name,
        {
          column,
          values:
            column.type === 'text'
              ? view(`column.${column.name}`, (b, o, n) => new Uint32Array(b, o, n), 4)
              : view(`column.${column.name}`, (b, o, n) => new Float64Array(b, o, n), 8),
        },
      ]),
    );
    this.padded = new Float32Array(stride);
  }

  get rows(): number {
    return this.header.rows;
  }

  /** Row r's record in the items file: [start, end) in bytes. */
  itemRange(row: number): [number, number] {
    return [this.offsets[row], this.offsets[row + 1]];
  }

  /**
   * The k rows most similar to `query` (any non-zero vector of the collection's dims): through the graph
   * with `ef` candidates when there is one and no filter, exactly otherwise (among the rows matching the
   * filter). Ties go to the lower row.
   */
  search(query: Float32Array, k: number, ef: number, filter?: ShardFilter): ShardHits {
    const unit = this.unitQuery(query);
    const filtered = filter !== undefined && Object.keys(filter).length > 0;
    if (this.graph && !filtered) {
      const { nodes, scores } = this.graph.knn(unit, k, ef);
      return { rows: nodes, scores: Float64Array.from(scores) };
    }
    return this.scan(unit, k, filtered ? this.bitmap(filter) : undefined);
  }

  /** The two-stage score of a unit (padded) query and a row: within about 1e-5 of the float32 cosine. */
  exact(query: Float32Array, row: number): number {
    const { stride } = this.header;
    const codes = this.codesView;
    const residual = this.residual;
    const base = row * stride;
    let first = 0;
    let second = 0;
    for (let j = 0; j < stride; j++) {
      first += query[j] * codes[base + j];
      second += query[j] * residual[base + j];
    }
    return first * this.scales[row] + second * this.residualScales[row];
  }

  private unitQuery(query: Float32Array): Float32Array {
    const { dim } = this.header;
    if (query.length !== dim) throw new RangeError(`the query has ${query.length} values, the shard ${dim}`);
    let squared = 0;
    for (let j = 0; j < dim; j++) squared += query[j] * query[j];
    if (!(squared > 0) || !Number.isFinite(squared))
      throw new RangeError('the query must be finite and non-zero');
    const scale = 1 / Math.sqrt(squared);
    const padded = this.padded;
    for (let j = 0; j < dim; j++) padded[j] = query[j] * scale;
    return padded;
  }

  /**
   * Exact top k: the scan kernel keeps the rows whose int8 score, within its error bound (see
   * scan-kernel/assembly/scan.ts), could reach the k-th best; those are re-scored by the two-stage codes.
   */
  private scan(query: Float32Array, k: number, bitmap?: Uint8Array): ShardHits {
    const { rows } = this.header;
    const wanted = scanK(k, Math.max(rows, 1));
    const scratch = this.scanScratch;
    const step = scratch.setQueryCodes(query);
    const bitmapAt = scratch.setBitmap(bitmap);
    const ids = scratch.candidates(step, this.codesAt, this.scales.byteOffset, bitmapAt, wanted);
    const candidates = Array.from(ids, (row) => ({ row, score: this.exact(query, row) }));
    candidates.sort((a, b) => b.score - a.score || a.row - b.row);
    const top = candidates.slice(0, k);
    return {
      rows: Int32Array.from(top, (hit) => hit.row),
      scores: Float64Array.from(top, (hit) => hit.score),
    };
  }

  /**
   * The rows that match the filter as a bitmap (bit r & 7 of byte r >> 3), one column at a time: a tight
   * loop per field instead of a test per row and field. RangeError for a field the shard cannot filter on.
   */
  private bitmap(filter: ShardFilter): Uint8Array {
    const { rows } = this.header;
    const bitmap = fullBitmap(rows);
    for (const [name, wanted] of Object.entries(filter)) {
      const entry = this.columns.get(name);
      if (!entry) throw new RangeError(`this collection cannot filter on "${name}"`);
      const list: readonly ShardFilterValue[] = Array.isArray(wanted) ? wanted : [wanted as ShardFilterValue];
      const { column, values } = entry;
      if (column.type === 'text') {
        const dictionary = new Map((column.values ?? []).map((value, i) => [value, i]));
        const codes = list.flatMap((value) =>
          dictionary.has(String(value)) ? [dictionary.get(String(value)) as number] : [],
        );
        keepMatching(bitmap, values, codes);
      } else keepMatching(bitmap, values, list.map(Number));
    }
    return bitmap;
  }
}

function alignUp(offset: number): number {
  return Math.ceil(offset / SHARD_ALIGN) * SHARD_ALIGN;
}
