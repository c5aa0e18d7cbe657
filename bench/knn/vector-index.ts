import { z } from 'zod';
import { openCollectionVectors } from '../../edge/adapters/node/collection-vectors.ts';
import { openSqliteVecIndex } from '../../edge/adapters/node/sqlite-vec-index.ts';
import { openVecDatabase } from '../../shared/db/better-sqlite.ts';
import { vecTableName } from '../../shared/db/index-schema.ts';
import { buildIndex } from '../../trainer/index/build-index.ts';
import type { BuildRecord } from './build-cache.ts';
import type { KnnDataset } from './dataset.ts';

const COLLECTION = 'bench';
/** Each row's partition, declared filterable so the adapter can filter on it as the partitioned table does. */
const PART = 'part';

/**
 * The index file the trainer publishes (trainer/index/build-index.ts: items with text and metadata, one
 * vec0 table, and with `graph` its HNSW graph), built over the data set's vectors: "embedding" a row's
 * text looks its vector up. Row r is item id String(r); its partition is the filterable field "part".
 */
export async function buildVectorIndexFile(
  path: string,
  dataset: KnnDataset,
  graph: boolean,
): Promise<BuildRecord> {
  const rowOf = new Map(dataset.texts.map((text, row) => [text, row]));
  if (rowOf.size !== dataset.count)
    throw new Error('the data set has repeated texts; a text must name one row');
  const { dim } = dataset;
  const stats = await buildIndex({
    path,
    collection: { name: COLLECTION, filterable: [{ name: PART, type: 'text' }] },
    model: { name: 'bench', version: '1', dim },
    items: dataset.texts.map((text, row) => ({
      id: String(row),
      text,
      metadata: { ...dataset.metadata[row], [PART]: dataset.partitions[row] },
    })),
    embed: async (texts) =>
      texts.map((text) => {
        const row = rowOf.get(text)!;
        return dataset.vectors.slice(row * dim, (row + 1) * dim);
      }),
    ...(graph ? {} : { graph: false as const }),
  });
  return {
    seconds: stats.seconds,
    ...(stats.graphSeconds === undefined ? {} : { graphSeconds: stats.graphSeconds }),
  };
}

/** The edge's VectorIndex adapter over that file, as the server opens it (graph) or told to scan (exact). */
export function openVectorIndex(path: string, mode: 'graph' | 'exact') {
  const index = openSqliteVecIndex([path], { mode });
  return {
    search: async (query: Float32Array, k: number, partition?: string) =>
      (
        await index.search(
          { model: 'bench', name: COLLECTION },
          query,
          k,
          partition === undefined ? undefined : { [PART]: partition },
        )
      ).map((hit) => Number(hit.id)),
    close: () => index.close(),
  };
}

const ItemRowSchema = z.object({ id: z.number().int(), external_id: z.string() });

/**
 * The file's graph as the adapter walks it (edge/adapters/node/collection-vectors.ts), without the
 * adapter's join of the hits' items: the walk itself, as hnswlib-node's search is.
 */
export function openGraphWalk(path: string, dim: number, kernel: WebAssembly.Module) {
  const db = openVecDatabase(path, { readonly: true });
  try {
    const rowOf = new Map(
      z
        .array(ItemRowSchema)
        .parse(db.prepare('SELECT id, external_id FROM items').all())
        .map((item) => [item.id, Number(item.external_id)]),
    );
    const vectors = openCollectionVectors(db, 1, vecTableName(1), dim, { withGraph: true, kernel });
    const graph = vectors?.graph;
    if (!graph) throw new Error(`${path} has no graph to walk`);
    return (query: Float32Array, k: number, ef: number) =>
      Array.from(graph.search(query, k, ef).itemIds, (id) => rowOf.get(id)!);
  } finally {
    db.close();
  }
}
