import { defineTask } from '../definition.ts';
import { parseRecsConfig } from './config.ts';
import { createRecsRetrainTask } from './retrain/task.ts';
import { runRecsPipeline } from './stages/pipeline.ts';

/** Recommendations: two towers over items and users' histories. */
export const recommendationTask = defineTask({
  name: 'recommendation',
  parseConfig: parseRecsConfig,
  runPipeline: runRecsPipeline,
  headlineMetrics: ['ndcg_at_10', 'hr_at_10'],
  shardsWorkerIndex: false,
  strictData: {
    isStrict: (config) => config.data.strict,
    strict: (config) => ({ ...config, data: { ...config.data, strict: true } }),
  },
  retrain: {
    defaultGateMetric: 'ndcg_at_10',
    // It trains on the interactions the edges recorded since the CSV files were written.
    needsEventLogs: true,
    create: (config, { events }) => createRecsRetrainTask(config, events),
  },
});
