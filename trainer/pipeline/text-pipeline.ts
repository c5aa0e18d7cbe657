import type { BackendInfo } from '../backend/index.ts';
import type { TextConfig } from '../config/text-config.ts';
import type { ProgressReporter } from '../train/progress.ts';
import { evaluateTextStage } from './text-evaluate.ts';
import { exportTextStage } from './text-export.ts';
import { indexTextStage } from './text-index.ts';
import { publishTextStage } from './text-publish.ts';
import { reportTextStage } from './text-report.ts';
import { trainTextStage } from './text-train.ts';

export const TEXT_STAGES = ['train', 'evaluate', 'export', 'index', 'report', 'publish'] as const;
export type TextStage = (typeof TEXT_STAGES)[number];

export interface TextPipelineOptions {
  config: TextConfig;
  runDir: string;
  runId: string;
  version: string;
  backend: BackendInfo;
  progress: ProgressReporter;
  artifactsDir: string;
  stages: readonly TextStage[];
}

/** Runs the given stages in pipeline order; each reads what the earlier ones wrote into the run folder. */
export async function runTextPipeline(options: TextPipelineOptions): Promise<void> {
  const { runDir, progress } = options;
  const run: Record<TextStage, () => Promise<unknown>> = {
    train: () => trainTextStage(options),
    evaluate: () => evaluateTextStage(runDir, progress),
    export: () => exportTextStage(runDir, progress),
    index: () => indexTextStage(runDir, progress),
    report: () => reportTextStage(runDir, progress),
    publish: () => publishTextStage(runDir, options.artifactsDir, progress),
  };
  for (const stage of TEXT_STAGES) {
    if (!options.stages.includes(stage)) continue;
    const started = performance.now();
    progress.log(`== ${stage}`);
    await run[stage]();
    progress.log(`== ${stage} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}
