import type { BackendInfo } from '../backend/index.ts';
import type { ProgressReporter } from '../train/progress.ts';

/** Every pipeline's stages, in the order they run; each reads what the earlier ones wrote into the run. */
export const STAGES = ['train', 'evaluate', 'export', 'index', 'report', 'publish'] as const;
export type Stage = (typeof STAGES)[number];

/** What every pipeline (text, image, recommendation) is run with. */
export interface PipelineOptions<Config> {
  config: Config;
  runDir: string;
  runId: string;
  version: string;
  backend: BackendInfo;
  progress: ProgressReporter;
  artifactsDir: string;
  stages: readonly Stage[];
}

/**
 * Runs the requested stages in pipeline order with their timings logged. `skipReason` may excuse a stage
 * (for example an evaluation-only config that publishes nothing); the reason is logged.
 */
export async function runStages(
  options: Pick<PipelineOptions<unknown>, 'stages' | 'progress'>,
  runners: Record<Stage, () => Promise<unknown>>,
  skipReason: (stage: Stage) => string | undefined = () => undefined,
): Promise<void> {
  const { progress } = options;
  for (const stage of STAGES) {
    if (!options.stages.includes(stage)) continue;
    const skip = skipReason(stage);
    if (skip) {
      progress.log(`== ${stage} skipped: ${skip}`);
      continue;
    }
    const started = performance.now();
    progress.log(`== ${stage}`);
    await runners[stage]();
    progress.log(`== ${stage} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}
