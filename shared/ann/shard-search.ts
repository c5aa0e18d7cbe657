import type { HnswLayer } from './hnsw-graph.ts';
import { HnswSearcher, widestDegree } from './hnsw-graph.ts';
import { Int8Codes, int8ScratchBytes } from './int8-codes.ts';
import { ScoreHeap } from './score-heap.ts';
import { readShardHeader, SHARD_ALIGN, type ShardColumn, type ShardHeader } from './shard-file.ts';

/** Rows an exact scan scores per kernel call. */
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

/** A WebAssembly memory that holds a shard file of `fileBytes` at offset 0, and the kernel's scratch. */
export function shardMemory(fileBytes: number): WebAssembly.Memory {
  const scratch = int8ScratchBytes(MAX_STRIDE, Math.max(SCAN_BATCH, MAX_DEGREE));
  return new WebAssembly.Memory({ initial: Math.ceil((alignUp(fileBytes) + scratch) / PAGE) });
}

/**
 * Searches one shard in place: its file sits at offset 0 of `memory` (streamed there, never copied).
 * Without a filter a shard with a graph is walked as on Node (the same HnswSearcher, int8 walk, ef
 * candidates), and the candidates are re-ranked by the two-stage codes; otherwise every (matching) row is
 * scored by the int8 kernel and only the rows whose score could still reach the top k are re-scored. The
 * int8 error bound makes that selection exact: the result is the true top k by the two-stage score.
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
  /** Each row's int8 score in a scan; made by the first scan (a shard with a graph may never scan). */
  private approx?: Float32Array;
  private readonly ids = new Int32Array(SCAN_BATCH);
  private readonly batchScores = new Float32Array(SCAN_BATCH);

  constructor(memory: WebAssembly.Memory, fileBytes: number, source: string, kernel?: WebAssembly.Module) {
    const buffer = memory.buffer;
    const header = readShardHeader(new Uint8Array(buffer, 0, fileBytes), source);
    this.header = header;
    const { rows, stride } = header;
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
    this.codes = new Int8Codes(
      { memory, codesAt: section('codes').offset, scales: this.scales, scratchAt: alignUp(fileBytes) },
      stride,
      maxBatch,
      kernel,
    );
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
    return this.scan(unit, k, filtered ? this.matcher(filter) : undefined);
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
   * Exact top k: the kernel's int8 score a of row r is within e(r) of its two-stage score, with
   * e(r) = sqrt(stride) * (q/2 * (1 + sqrt(stride) * s_r / 2) + s_r / 2), q the query's code step and s_r
   * the row's (Cauchy-Schwarz on the query's rounding, then on the row's first-stage rounding). A row can
   * be in the top k only if a + e reaches the k-th largest a - e; only those rows are re-scored.
   */
  private scan(query: Float32Array, k: number, matches?: (row: number) => boolean): ShardHits {
    const { rows, stride } = this.header;
    const { codes, ids, batchScores, scales } = this;
    this.approx ??= new Float32Array(rows);
    const { approx } = this;
    codes.setQuery(query);
    const root = Math.sqrt(stride);
    const queryHalfStep = codes.queryStep / 2;
    const bound = (row: number) => root * (queryHalfStep * (1 + (root * scales[row]) / 2) + scales[row] / 2);
    const lower = new ScoreHeap(k + 1);
    let count = 0;
    const flush = () => {
      codes.scoreRows(ids, count, batchScores);
      for (let i = 0; i < count; i++) {
        const row = ids[i];
        approx[row] = batchScores[i];
        const low = batchScores[i] - bound(row);
        if (lower.size < k) lower.push(low, row);
        else if (low > lower.topKey()) lower.replaceTop(low, row);
      }
      count = 0;
    };
    for (let row = 0; row < rows; row++) {
      if (matches && !matches(row)) {
        approx[row] = Number.NEGATIVE_INFINITY;
        continue;
      }
      ids[count++] = row;
      if (count === SCAN_BATCH) flush();
    }
    if (count > 0) flush();
    if (lower.size === 0) return { rows: new Int32Array(0), scores: new Float64Array(0) };
    const threshold = lower.size < k ? Number.NEGATIVE_INFINITY : lower.topKey();
    const candidates: { row: number; score: number }[] = [];
    for (let row = 0; row < rows; row++) {
      const score = approx[row];
      // Rows the filter left out were marked -Infinity, which must not pass an unbounded threshold.
      if (score !== Number.NEGATIVE_INFINITY && score + bound(row) >= threshold) {
        candidates.push({ row, score: this.exact(query, row) });
      }
    }
    candidates.sort((a, b) => b.score - a.score || a.row - b.row);
    const top = candidates.slice(0, k);
    return {
      rows: Int32Array.from(top, (hit) => hit.row),
      scores: Float64Array.from(top, (hit) => hit.score),
    };
  }

  /** Whether a row matches the filter; RangeError for a field the shard cannot filter on. */
  private matcher(filter: ShardFilter): (row: number) => boolean {
    const tests = Object.entries(filter).map(([name, wanted]) => {
      const entry = this.columns.get(name);
      if (!entry) throw new RangeError(`this collection cannot filter on "${name}"`);
      const list: readonly ShardFilterValue[] = Array.isArray(wanted) ? wanted : [wanted as ShardFilterValue];
      const { column, values } = entry;
      if (column.type === 'text') {
        const dictionary = new Map((column.values ?? []).map((value, i) => [value, i]));
        const codes = new Set(
          list.flatMap((value) => (dictionary.has(String(value)) ? [dictionary.get(String(value))] : [])),
        );
        return (row: number) => codes.has(values[row]);
      }
      const numbers = new Set(list.map((value) => Number(value)));
      return (row: number) => numbers.has(values[row]);
    });
    return (row) => tests.every((test) => test(row));
  }
}

function alignUp(offset: number): number {
  return Math.ceil(offset / SHARD_ALIGN) * SHARD_ALIGN;
}
