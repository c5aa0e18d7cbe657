import { join } from 'node:path';
import { SearchOptionsSchema } from '../../edge/adapters/node/search-options.ts';
import { HnswParamsSchema } from '../../shared/ann/build-hnsw.ts';
import type { KnnDataset } from './dataset.ts';
import { createFlatIndex } from './flat-scan.ts';
import { buildHnsw, HNSW_EF_CONSTRUCTION, HNSW_M } from './hnsw.ts';
import { BIT_OVERSAMPLE, buildTable, INT8_OVERSAMPLE, int8Scale, openTable } from './sqlite-vec.ts';
import { buildVectorIndexFile, openVectorIndex } from './vector-index.ts';

export const STOCK = 'sqlite-vec float32, stock (no tuning)';
export const MMAP = 'sqlite-vec float32 + mmap_size 1 GiB';
export const VECTOR_INDEX = 'VectorIndex, exact (edge adapter: float32 + mmap, joins items)';
const search = SearchOptionsSchema.parse({});
const graph = HnswParamsSchema.parse({});
export const VECTOR_INDEX_GRAPH = `VectorIndex, graph: the default (HNSW m ${graph.m}, efConstruction ${graph.efConstruction}, ef ${search.ef}, walked on int8 codes and re-ranked in float32; joins items)`;
export const INT8 = `sqlite-vec int8 + float32 re-score (x${INT8_OVERSAMPLE} candidates, mmap)`;
export const BIT = `sqlite-vec bit + float32 re-score (x${BIT_OVERSAMPLE} candidates, mmap)`;
export const FLAT = 'flat Float32Array scan (JS, exact)';
export const PARTITION = "sqlite-vec float32 + partition key = the query's partition (mmap)";
const HNSW = `hnswlib-node (M ${HNSW_M}, efConstruction ${HNSW_EF_CONSTRUCTION})`;
export const HNSW_EFS = [10, 100];

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
 * Builds every contender over the data set (files in `dir`) and opens each for search: sqlite-vec tables
 * stock and tuned, the edge's VectorIndex over the trainer's index file, hnswlib-node, and the flat scan.
 */
export async function openContenders(
  dataset: KnnDataset,
  dir: string,
  log: (message: string) => void,
): Promise<Contenders> {
  const { dim, vectors } = dataset;
  log('building the sqlite-vec tables and the VectorIndex file');
  const float32 = buildTable(join(dir, 'float32.db'), 'float32', dataset);
  const int8 = buildTable(join(dir, 'int8.db'), 'int8', dataset);
  const bit = buildTable(join(dir, 'bit.db'), 'bit', dataset);
  const partitioned = buildTable(join(dir, 'partitioned.db'), 'partitioned', dataset);
  const vectorIndex = await buildVectorIndexFile(join(dir, 'index.db'), dataset);
  log('building hnswlib-node');
  const hnsw = buildHnsw(join(dir, 'hnsw.bin'), vectors, dim, 100);
  const flatStart = performance.now();
  const flat = createFlatIndex(vectors, dim);
  const flatSeconds = (performance.now() - flatStart) / 1000;

  const stock = openTable(float32.path, 'float32', { mmap: false });
  const mmap = openTable(float32.path, 'float32', { mmap: true });
  const int8Table = openTable(int8.path, 'int8', { mmap: true, scale: int8Scale(vectors) });
  const bitTable = openTable(bit.path, 'bit', { mmap: true });
  const partitionTable = openTable(partitioned.path, 'partitioned', { mmap: true });
  const edgeIndex = openVectorIndex(vectorIndex.path, 'exact');
  const edgeGraph = openVectorIndex(vectorIndex.path, 'graph');
  const opened = [stock, mmap, int8Table, bitTable, partitionTable, edgeIndex, edgeGraph];

  return {
    searches: {
      [STOCK]: (query, k) => stock.search(query, k),
      [MMAP]: (query, k) => mmap.search(query, k),
      [VECTOR_INDEX]: (query, k) => edgeIndex.search(query, k),
      [VECTOR_INDEX_GRAPH]: (query, k) => edgeGraph.search(query, k),
      [INT8]: (query, k) => int8Table.search(query, k),
      [BIT]: (query, k) => bitTable.search(query, k),
      [FLAT]: (query, k) => flat.search(query, k),
      ...Object.fromEntries(
        HNSW_EFS.map((ef) => [
          `${HNSW}, ef ${ef}`,
          (query: Float32Array, k: number) => hnsw.search(query, k, ef),
        ]),
      ),
      [PARTITION]: (query, k, partition) => partitionTable.search(query, k, partition),
    },
    builds: [
      { name: STOCK, ...float32, where: 'file' },
      {
        name: `${VECTOR_INDEX}; ${VECTOR_INDEX_GRAPH}`,
        ...vectorIndex,
        where: `file (with items, text and metadata${vectorIndex.graphSeconds === undefined ? '' : `, and the graph: built in ${vectorIndex.graphSeconds.toFixed(1)} s`})`,
      },
      { name: INT8, ...int8, where: 'file' },
      { name: BIT, ...bit, where: 'file' },
      { name: PARTITION, ...partitioned, where: 'file' },
      { name: HNSW, seconds: hnsw.seconds, bytes: hnsw.bytes, where: 'saved graph' },
      { name: FLAT, seconds: flatSeconds, bytes: vectors.byteLength, where: 'memory' },
    ],
    close() {
      for (const table of opened) table.close();
    },
  };
}
