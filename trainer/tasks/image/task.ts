import { defineTask } from '../definition.ts';
import { parseImageConfig } from './config.ts';
import { runImagePipeline } from './stages/pipeline.ts';

/** Image similarity: a small CNN on labelled images. */
export const imageTask = defineTask({
  name: 'image-similarity',
  parseConfig: parseImageConfig,
  runPipeline: runImagePipeline,
  headlineMetrics: ['mean_average_precision_at_r', 'precision_at_1'],
  shardsWorkerIndex: false,
  retrain: { unsupported: 'its labelled image set does not grow at the edge' },
});
