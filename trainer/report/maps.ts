import { type EmbeddingMatrix, selectRows } from '../eval/matrix.ts';
import { mulberry32, sampleIndices } from '../eval/random.ts';
import { tsne } from './tsne.ts';
import { umap2d } from './umap.ts';

export interface EmbeddingMaps {
  /** The test items drawn (all of them unless there were more than maxPoints), increasing. */
  items: Int32Array;
  /** Items given in total, to say when the maps show a sample. */
  total: number;
  /** [items, 2] coordinates. */
  tsne: Float64Array;
  umap: Float64Array;
}

/** Both 2-D maps of the same items: all of them, or a seeded sample of maxPoints when there are more. */
export function embeddingMaps(embeddings: EmbeddingMatrix, maxPoints: number, seed: number): EmbeddingMaps {
  const total = embeddings.rows;
  const items =
    total > maxPoints
      ? sampleIndices(total, maxPoints, mulberry32(seed))
      : Int32Array.from({ length: total }, (_, i) => i);
  const points = items.length === total ? embeddings : selectRows(embeddings, items);
  return { items, total, tsne: tsne(points), umap: umap2d(points, seed) };
}
