import { mulberry32, sampleIndices } from '../../shared/random.ts';
import { type EmbeddingMatrix, selectRows } from '../eval/matrix.ts';
import { type ProgressReporter, timedStep } from '../train/progress.ts';
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

/**
 * Both 2-D maps of the same items: all of them, or a seeded sample of maxPoints when there are more. Each
 * takes tens of seconds for a thousand points, so each is logged with its time when `progress` is given.
 */
export function embeddingMaps(
  embeddings: EmbeddingMatrix,
  maxPoints: number,
  seed: number,
  progress: Pick<ProgressReporter, 'log'> = { log: () => undefined },
): EmbeddingMaps {
  const total = embeddings.rows;
  const items =
    total > maxPoints
      ? sampleIndices(total, maxPoints, mulberry32(seed))
      : Int32Array.from({ length: total }, (_, i) => i);
  const points = items.length === total ? embeddings : selectRows(embeddings, items);
  return {
    items,
    total,
    tsne: timedStep(progress, `report: t-SNE map of ${points.rows} test items`, () => tsne(points)),
    umap: timedStep(progress, `report: UMAP map of ${points.rows} test items`, () => umap2d(points, seed)),
  };
}
