import type { TextConfig } from '../config/text-config.ts';
import { type PipelineOptions, runStages } from './stages.ts';
import { evaluateTextStage } from './text-evaluate.ts';
import { exportTextStage } from './text-export.ts';
import { indexTextStage } from './text-index.ts';
import { publishTextStage } from './text-publish.ts';
import { reportTextStage } from './text-report.ts';
import { trainTextStage } from './text-train.ts';

export type TextPipelineOptions = PipelineOptions<TextConfig>;

/** The text pipeline: train the encoder, evaluate, export fp32/int8 ONNX, index the catalogue, report, publish. */
export async function runTextPipeline(options: TextPipelineOptions): Promise<void> {
  const { runDir, progress } = options;
  await runStages(options, {
    train: () => trainTextStage(options),
    evaluate: () => evaluateTextStage(runDir, progress),
    export: () => exportTextStage(runDir, progress),
    index: () => indexTextStage(runDir, progress),
    report: () => reportTextStage(runDir, progress),
    publish: () => publishTextStage(runDir, options.artifactsDir, progress),
  });
}
