import { defineTask } from '../definition.ts';
import { parseTextConfig } from './config.ts';
import { createTextRetrainTask } from './retrain/task.ts';
import { runTextPipeline } from './stages/pipeline.ts';

/** Text similarity and semantic search (the default task of a config without a `task` field). */
export const textTask = defineTask({
  name: 'text-similarity',
  parseConfig: parseTextConfig,
  runPipeline: runTextPipeline,
  headlineMetrics: ['mean_average_precision_at_r', 'precision_at_1'],
  shardsWorkerIndex: true,
  retrain: {
    defaultGateMetric: 'mean_average_precision_at_r',
    needsEventLogs: false,
    create: (config) => createTextRetrainTask(config),
  },
});
