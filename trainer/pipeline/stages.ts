import type { Sharding } from '../../shared/artifacts/worker-index.ts';
import type { BackendInfo } from '../backend/index.ts';
import { formatDuration, type ProgressReporter } from '../train/progress.ts';
import { recordStageFinished } from './stage-ledger.ts';
import { STAGES, type Stage } from './stage-list.ts';

export { STAGES, type Stage };

/** Seconds per stage: measured in an earlier run, or expected for this one. */
export type StageSeconds = Partial<Record<Stage, number>>;

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
  /** Stage times of an earlier finished run of the same config: the pipeline's ETA comes from them. */
  earlierRun?: { id: string; seconds: StageSeconds };
  /** How the index stage splits the Workers index (`dml-edge index --shards`), over the config's own. */
  sharding?: Sharding;
}

/**
 * Each stage's time as a multiple of training's, for a task's default config on 2 cores: the ETA of a
 * first run once training has finished (an earlier run of the same config, when there is one, is better).
 */
export type StageCostRatios = Record<Exclude<Stage, 'train'>, number>;

/**
 * Runs the requested stages in pipeline order, one line per stage with the pipeline's ETA, and records
 * each finished stage in the run's ledger (stage-ledger.ts) so an interrupted pipeline continues where it
 * stopped. `skipReason` may excuse a stage (for example an evaluation-only config that publishes
 * nothing); the reason is logged and the stage counts as finished.
 */
export async function runStages(
  options: Pick<PipelineOptions<unknown>, 'stages' | 'progress' | 'runDir' | 'earlierRun'>,
  runners: Record<Stage, () => Promise<unknown>>,
  costRatios: StageCostRatios,
  skipReason: (stage: Stage) => string | undefined = () => undefined,
): Promise<void> {
  const { progress, runDir } = options;
  const planned = STAGES.filter((stage) => options.stages.includes(stage));
  const eta = createEta(planned, costRatios, options.earlierRun);
  const started = performance.now();
  for (const [i, stage] of planned.entries()) {
    const skip = skipReason(stage);
    if (skip) {
      progress.log(`== ${stage} skipped: ${skip}`);
      recordStageFinished(runDir, stage, 0);
      eta.finished(stage, 0);
      continue;
    }
    const elapsed = (performance.now() - started) / 1000;
    progress.log(
      `== ${stage} (${i + 1}/${planned.length}) · ${formatDuration(elapsed)} so far · ${eta.describe()}`,
    );
    const stageStarted = performance.now();
    await runners[stage]();
    const seconds = (performance.now() - stageStarted) / 1000;
    recordStageFinished(runDir, stage, seconds);
    eta.finished(stage, seconds);
    progress.log(`== ${stage} done in ${formatDuration(seconds)}`);
  }
}

/**
 * The time left for the planned stages. Each estimate is fixed once made (from the earlier run, or from
 * training's own time once it is known), so the ETA only counts down as stages finish instead of swinging
 * with each stage's luck.
 */
function createEta(
  planned: readonly Stage[],
  costRatios: StageCostRatios,
  earlierRun: PipelineOptions<unknown>['earlierRun'],
) {
  const remaining = new Set(planned);
  let trainSeconds: number | undefined;
  const expected = (stage: Stage): number | undefined => {
    const earlier = earlierRun?.seconds[stage];
    if (earlier !== undefined) return earlier;
    if (stage === 'train' || trainSeconds === undefined) return undefined;
    return trainSeconds * costRatios[stage];
  };
  return {
    finished(stage: Stage, seconds: number) {
      remaining.delete(stage);
      if (stage === 'train') trainSeconds = seconds;
    },
    describe(): string {
      const estimates = [...remaining].map(expected);
      if (estimates.every((s) => s !== undefined)) {
        const total = estimates.reduce((a, b) => a + b, 0);
        const source = earlierRun ? ` (from run ${earlierRun.id})` : '';
        return `about ${formatDuration(total)} left${source}`;
      }
      // A first run, before training ends: training's bar shows its own ETA.
      const after = [...remaining].filter((stage) => stage !== 'train');
      const share = after.reduce((sum, stage) => sum + costRatios[stage as keyof StageCostRatios], 0);
      return `ETA: training's, shown below, then about ${share.toFixed(2)}x its time for ${after.join(', ')}`;
    },
  };
}
