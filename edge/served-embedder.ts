import type { Batching } from './limits.ts';
import type { AppMetrics } from './metrics.ts';
import { createMicroBatcher } from './micro-batcher.ts';
import type { Embedder, LoadedModel } from './ports.ts';

/**
 * A model's embedder as the routes use it: texts through the micro-batcher, images as they come (one run
 * per request), and every model run's size and duration reported to the metrics when there are any.
 */
export function servedEmbedder(model: LoadedModel, batching: Batching, metrics?: AppMetrics): Embedder {
  const name = model.manifest.name;
  const observe =
    metrics &&
    ((inputs: number, seconds: number) => metrics.observeEmbedRun({ model: name, inputs, seconds }));
  const texts = createMicroBatcher(model.embedder, batching, observe);
  const { embedImages } = model.embedder;
  if (!embedImages) return texts;
  return {
    ...texts,
    async embedImages(images) {
      const started = performance.now();
      const vectors = await embedImages.call(model.embedder, images);
      observe?.(images.length, (performance.now() - started) / 1000);
      return vectors;
    },
  };
}
