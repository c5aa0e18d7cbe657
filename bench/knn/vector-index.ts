import { statSync } from 'node:fs';
import { openSqliteVecIndex } from '../../edge/adapters/node/sqlite-vec-index.ts';
import { buildIndex } from '../../trainer/index/build-index.ts';
import type { KnnDataset } from './dataset.ts';
import type { BuiltTable } from './sqlite-vec.ts';

const COLLECTION = 'bench';

/**
 * The index file the trainer publishes (trainer/index/build-index.ts: items with text and metadata, one
 * vec0 table), built over the data set's vectors: "embedding" a row's text looks its vector up.
 */
export async function buildVectorIndexFile(
  path: string,
  dataset: KnnDataset,
): Promise<BuiltTable & { graphSeconds?: number }> {
  const rowOf = new Map(dataset.texts.map((text, row) => [text, row]));
  if (rowOf.size !== dataset.count)
    throw new Error('the data set has repeated texts; a text must name one row');
  const { dim } = dataset;
  const stats = await buildIndex({
    path,
    collection: { name: COLLECTION },
    model: { name: 'bench', version: '1', dim },
    items: dataset.texts.map((text, row) => ({ id: String(row), text, metadata: dataset.metadata[row] })),
    embed: async (texts) =>
      texts.map((text) => {
        const row = rowOf.get(text)!;
        return dataset.vectors.slice(row * dim, (row + 1) * dim);
      }),
  });
  return { path, seconds: stats.seconds, bytes: statSync(path).size, graphSeconds: stats.graphSeconds };
}

/** The edge's VectorIndex adapter over that file, as the server opens it (graph) or told to scan (exact). */
export function openVectorIndex(path: string, mode: 'graph' | 'exact') {
  const index = openSqliteVecIndex([path], { mode });
  return {
    search: async (query: Float32Array, k: number) =>
      (await index.search({ model: 'bench', name: COLLECTION }, query, k)).map((hit) => Number(hit.id)),
    close: () => index.close(),
  };
}
