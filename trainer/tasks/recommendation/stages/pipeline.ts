import { type PipelineOptions, runStages, type StageCostRatios } from '../../../pipeline/stages.ts';
import type { RecsConfig } from '../config.ts';
import { evaluateRecsStage } from './evaluate.ts';
import { exportRecsStage } from './export.ts';
import { indexRecsStage } from './index-build.ts';
import { publishRecsStage } from './publish.ts';
import { reportRecsStage } from './report.ts';
import { trainRecsStage } from './train.ts';

export type RecsPipelineOptions = PipelineOptions<RecsConfig>;

/** Stage times as multiples of training's: a first run's estimate (see StageCostRatios). */
const COST_RATIOS: StageCostRatios = { evaluate: 0.1, export: 0.1, index: 0.05, report: 0.05, publish: 0.01 };

/**
 * The recommendation pipeline: train both towers, evaluate against most-popular and item-kNN, export the
 * content encoder (and check the user tower's edge path), index the items with the users' histories,
 * report, publish.
 */
export async function runRecsPipeline(options: RecsPipelineOptions): Promise<void> {
  const { runDir, progress } = options;
  await runStages(
    options,
    {
      train: () => trainRecsStage(options),
      evaluate: () => evaluateRecsStage(runDir, progress),
      export: () => exportRecsStage(runDir, progress),
      index: () => indexRecsStage(runDir, progress),
      report: () => reportRecsStage(runDir, progress),
      publish: () => publishRecsStage(runDir, options.artifactsDir, progress),
    },
    COST_RATIOS,
  );
}
