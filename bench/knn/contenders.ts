import { join } from 'node:path';
import { SearchOptionsSchema } from '../../edge/adapters/node/search-options.ts';
import { ExactScan } from '../../shared/ann/exact-scan.ts';
import type { ScanKernel } from '../../shared/ann/scan-kernel.ts';
import type { BuiltFile } from './build-cache.ts';
import type { KnnDataset } from './dataset.ts';
import { createFlatIndex } from './flat-scan.ts';
import { BIT_OVERSAMPLE, buildTable, INT8_OVERSAMPLE, int8Scale, openTable } from './sqlite-vec.ts';
import { openVectorIndex } from './vector-index.ts';

export const STOCK = 'sqlite-vec float32, stock (no tuning)';
export const MMAP = 'sqlite-vec float32 + mmap_size 1 GiB (warm: the file is in the page cache)';
export const VECTOR_INDEX =
  'VectorIndex, exact (edge adapter: WASM SIMD scan of int8 codes, candidates re-scored in float32; joins items)';
const search = SearchOptionsSchema.parse({});
export const VECTOR_INDEX_GRAPH = `VectorIndex, graph: the default (ef ${search.ef}; joins items)`;
export const SIMD_F32 = 'WASM SIMD scan, float32 (shared/ann/exact-scan.ts, no join)';
export const SIMD_I8 = 'WASM SIMD scan, int8 codes + float32 re-score (shared/ann/exact-scan.ts, no join)';
export const SEQUENTIAL = 'sequential read of the same float32 vectors (WASM SIMD sum, no scoring)';
export const INT8 = `sqlite-vec int8 + float32 re-score (x${INT8_OVERSAMPLE} candidates, mmap)`;
export const BIT = `sqlite-vec bit + float32 re-score (x${BIT_OVERSAMPLE} candidates, mmap)`;
export const FLAT = 'flat Float32Array scan (JS, exact)';
export const PARTITION = "sqlite-vec float32 + partition key = the query's partition (mmap)";
export const VECTOR_INDEX_FILTERED =
  "VectorIndex, exact, filter part = the query's partition (a bitmap applied in the SIMD scan; joins items)";
/** The contenders that search within the query's partition (graded within it). */
export const PARTITIONED = [PARTITION, VECTOR_INDEX_FILTERED];

/** Row indices of the k nearest to a query, best first; `partition` only filters the partitioned table. */
export type Search = (
  query: Float32Array,
  k: number,
  partition: string,
) => ArrayLike<number> | Promise<ArrayLike<number>>;

export interface Build {
  name: string;
  seconds: number;
  bytes: number;
  /** Where the bytes are: a file, a saved graph, memory. */
  where: string;
}

export interface Contenders {
  searches: Record<string, Search>;
  builds: Build[];
  close(): void;
}

/**
 * Builds every exact contender over the data set (files in `dir`; the VectorIndex file is given, built
 * with or without its graph) and opens each for search: sqlite-vec tables stock and tuned, the edge's
 * VectorIndex, the SIMD scan alone, the JS flat scan, and a plain sequential read of the float32 vectors
 * as the memory-bandwidth floor a scan of them cannot beat.
 */
export async function openContenders(
  dataset: KnnDataset,
  dir: string,
  vectorIndex: BuiltFile,
  kernel: WebAssembly.Module,
  log: (message: string) => void,
): Promise<Contenders> {
  const { dim, vectors } = dataset;
  log('building the sqlite-vec tables');
  const float32 = buildTable(join(dir, 'float32.db'), 'float32', dataset);
  const int8 = buildTable(join(dir, 'int8.db'), 'int8', dataset);
  const bit = buildTable(join(dir, 'bit.db'), 'bit', dataset);
  const partitioned = buildTable(join(dir, 'partitioned.db'), 'partitioned', dataset);
  const timed = <T>(make: () => T) => {
    const started = performance.now();
    return { value: make(), seconds: (performance.now() - started) / 1000 };
  };
  const flat = timed(() => createFlatIndex(vectors, dim));
  const f32 = timed(() => new ExactScan(vectors, dim, { module: kernel, codes: 'float32' }));
  const i8 = timed(() => new ExactScan(vectors, dim, { module: kernel, codes: 'int8' }));
  const reader = new WebAssembly.Instance(kernel, { env: { memory: f32.value.memory } })
    .exports as unknown as ScanKernel;
  const floats = f32.value.rows * f32.value.stride;

  const stock = openTable(float32.path, 'float32', { mmap: false });
  const mmap = openTable(float32.path, 'float32', { mmap: true });
  const int8Table = openTable(int8.path, 'int8', { mmap: true, scale: int8Scale(vectors) });
  const bitTable = openTable(bit.path, 'bit', { mmap: true });
  const partitionTable = openTable(partitioned.path, 'partitioned', { mmap: true });
  const edgeIndex = openVectorIndex(vectorIndex.path, 'exact');
  const edgeGraph =
    vectorIndex.graphSeconds === undefined ? undefined : openVectorIndex(vectorIndex.path, 'graph');
  const opened = [
    stock,
    mmap,
    int8Table,
    bitTable,
    partitionTable,
    edgeIndex,
    ...(edgeGraph ? [edgeGraph] : []),
  ];
  const vectorIndexName = edgeGraph ? `${VECTOR_INDEX}; ${VECTOR_INDEX_GRAPH}` : VECTOR_INDEX;
  const reused = vectorIndex.reused ? '; built by the first round' : '';

  return {
    searches: {
      [STOCK]: (query, k) => stock.search(query, k),
      [MMAP]: (query, k) => mmap.search(query, k),
      [VECTOR_INDEX]: (query, k) => edgeIndex.search(query, k),
      [SIMD_I8]: (query, k) => i8.value.search(query, k).rows,
      [SIMD_F32]: (query, k) => f32.value.search(query, k).rows,
      // Returns no neighbours: its recall row is 0 by construction, its latency is the floor.
      [SEQUENTIAL]: () => {
        reader.sumF32(0, floats);
        return [];
      },
      ...(edgeGraph ? { [VECTOR_INDEX_GRAPH]: (query, k) => edgeGraph.search(query, k) } : {}),
      [INT8]: (query, k) => int8Table.search(query, k),
      [BIT]: (query, k) => bitTable.search(query, k),
      [FLAT]: (query, k) => flat.value.search(query, k),
      [PARTITION]: (query, k, partition) => partitionTable.search(query, k, partition),
      [VECTOR_INDEX_FILTERED]: (query, k, partition) => edgeIndex.search(query, k, partition),
    },
    builds: [
      { name: STOCK, ...float32, where: 'file' },
      {
        name: vectorIndexName,
        seconds: vectorIndex.seconds,
        bytes: vectorIndex.bytes,
        where: `file (with items, text and metadata${vectorIndex.graphSeconds === undefined ? '' : `, and the graph: built in ${vectorIndex.graphSeconds.toFixed(1)} s`}${reused}); the adapter also holds the vectors and codes in memory`,
      },
      { name: INT8, ...int8, where: 'file' },
      { name: BIT, ...bit, where: 'file' },
      { name: PARTITION, ...partitioned, where: 'file' },
      { name: FLAT, seconds: flat.seconds, bytes: vectors.byteLength, where: 'memory' },
      {
        name: SIMD_F32,
        seconds: f32.seconds,
        bytes: f32.value.memory.buffer.byteLength,
        where: 'WebAssembly memory (float32 rows, int8 codes, scratch)',
      },
      {
        name: SIMD_I8,
        seconds: i8.seconds,
        bytes: i8.value.memory.buffer.byteLength,
        where: 'WebAssembly memory (float32 rows, int8 codes, scratch)',
      },
    ],
    close() {
      for (const table of opened) table.close();
    },
  };
}
