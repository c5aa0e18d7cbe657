import { type PipelineOptions, runStages, type StageCostRatios } from '../../../pipeline/stages.ts';
import type { TextConfig } from '../config.ts';
import { evaluateTextStage } from './evaluate.ts';
import { exportTextStage } from './export.ts';
import { indexTextStage } from './index-build.ts';
import { publishTextStage } from './publish.ts';
import { reportTextStage } from './report.ts';
import { trainTextStage } from './train.ts';

export type TextPipelineOptions = PipelineOptions<TextConfig>;

/**
 * Stage times as multiples of training's: configs/wordnet-text.json on 2 busy cores (train 8 min 15 s,
 * evaluate 41 s, export 38 s, index 3 min 42 s, report 26 s, publish 1 s; README "Quickstart").
 */
const COST_RATIOS: StageCostRatios = {
  evaluate: 0.08,
  export: 0.08,
  index: 0.45,
  report: 0.05,
  publish: 0.002,
};

/** The text pipeline: train the encoder, evaluate, export fp32/int8 ONNX, index the catalogue, report, publish. */
export async function runTextPipeline(options: TextPipelineOptions): Promise<void> {
  const { runDir, progress } = options;
  await runStages(
    options,
    {
      train: () => trainTextStage(options),
      evaluate: () => evaluateTextStage(runDir, progress),
      export: () => exportTextStage(runDir, progress),
      index: () => indexTextStage(runDir, progress, options.sharding),
      report: () => reportTextStage(runDir, progress),
      publish: () => publishTextStage(runDir, options.artifactsDir, progress),
    },
    COST_RATIOS,
  );
}
