import {
  type PipelineOptions,
  runStages,
  type Stage,
  type StageCostRatios,
} from '../../../pipeline/stages.ts';
import type { ImageConfig } from '../config.ts';
import { evaluateImageStage } from './evaluate.ts';
import { exportImageStage } from './export.ts';
import { indexImageStage } from './index-build.ts';
import { publishImageStage } from './publish.ts';
import { reportImageStage } from './report.ts';
import { trainImageStage } from './train.ts';

export type ImagePipelineOptions = PipelineOptions<ImageConfig>;

/** Stage times as multiples of training's: a first run's estimate (see StageCostRatios). */
const COST_RATIOS: StageCostRatios = { evaluate: 0.3, export: 0.1, index: 0.1, report: 0.1, publish: 0.01 };

/** Stages that need the config's `index` section (a collection to publish). */
const PUBLISHING_STAGES: readonly Stage[] = ['index', 'publish'];

/**
 * The image pipeline, in the text pipeline's run layout (see run-dir.ts). A config without an `index`
 * section is an evaluation run (e.g. the class-disjoint protocol): its index and publish stages are skipped.
 */
export async function runImagePipeline(options: ImagePipelineOptions): Promise<void> {
  const { runDir, progress, config } = options;
  await runStages(
    options,
    {
      train: () => trainImageStage(options),
      evaluate: () => evaluateImageStage(runDir, progress),
      export: () => exportImageStage(runDir, progress),
      index: () => indexImageStage(runDir, progress),
      report: () => reportImageStage(runDir, progress),
      publish: () => publishImageStage(runDir, options.artifactsDir, progress),
    },
    COST_RATIOS,
    (stage) =>
      PUBLISHING_STAGES.includes(stage) && !config.index
        ? `${config.name} has no index section (an evaluation run)`
        : undefined,
  );
}
