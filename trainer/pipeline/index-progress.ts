import type { BuildIndexOptions } from '../index/build-index.ts';
import { countProgress, type ProgressReporter } from '../train/progress.ts';

/**
 * buildIndex's progress callbacks for a pipeline's index stage: items embedded, then (for a collection
 * large enough to get one) nodes linked into the search graph, which takes minutes on a large catalogue.
 */
export function indexProgress(
  progress: ProgressReporter,
  items: number,
): Pick<BuildIndexOptions, 'onProgress' | 'onGraphProgress'> {
  let linking: ((linked: number) => void) | undefined;
  return {
    onProgress: countProgress(progress, 'indexing items', items),
    onGraphProgress: (linked, total) => {
      linking ??= countProgress(progress, 'linking the search graph: items', total);
      linking(linked);
    },
  };
}
