import { relative, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type Sharding, ShardingSchema } from '../../shared/artifacts/worker-index.ts';
import { describeBackend, initBackend } from '../../trainer/backend/index.ts';
import {
  loadPipelineConfig,
  type PipelineConfig,
  runPipeline,
} from '../../trainer/pipeline/pipeline-config.ts';
import { preflight } from '../../trainer/pipeline/preflight.ts';
import { createRun, earlierFinishedRun, openRun, type RunTarget } from '../../trainer/pipeline/run-target.ts';
import { readStageLedger, unfinishedStages } from '../../trainer/pipeline/stage-ledger.ts';
import { STAGES, type Stage } from '../../trainer/pipeline/stages.ts';
import { TASKS, taskOf } from '../../trainer/tasks/index.ts';
import { createProgress, type ProgressReporter } from '../../trainer/train/progress.ts';
import {
  type ArtifactsFlag,
  artifactsDir,
  artifactsOption,
  type BackendFlag,
  backendOption,
  DEFAULT_CONFIG,
  runsOption,
  wholeNumber,
} from '../options.ts';
import { type R2Flags, r2Options, uploadCurrentToR2 } from './upload.ts';

export interface PipelineFlags extends ArtifactsFlag, BackendFlag {
  config?: string;
  run?: string;
  runs: string;
  strict?: boolean;
  /** `index`: how to split the Workers index, over the config's `index.worker`. */
  shards?: number;
  shardBytes?: number;
}

/** `pipeline` (every stage still to run) or one stage by name (rerun even when it finished). */
type Requested = 'pipeline' | Stage;

/**
 * Runs stages of a run: a new run of `--config`, or `--run <id>` with the config pinned in it. Checks what
 * the stages need first; on failure the error ends with the one command that continues. Returns the run.
 */
export async function runPipelineCommand(
  flags: PipelineFlags,
  requested: Requested,
  existing?: RunTarget,
): Promise<RunTarget> {
  const progress = createProgress();
  const run = existing ?? (flags.run ? openStrictRun(flags) : undefined);
  const loaded =
    run?.loaded ?? withStrictData(loadPipelineConfig(flags.config ?? DEFAULT_CONFIG), flags.strict);
  const stages = stagesToRun(run, requested, progress);
  if (stages.length === 0) return run!;
  const artifacts = artifactsDir(flags);
  await preflight(stages, { artifactsDir: artifacts, progress });

  const target = run ?? createRun(flags.runs, loaded);
  const backend = await initBackend(flags.backend ?? loaded.config.backend);
  progress.log(`run ${target.runId} in ${target.runDir}; TensorFlow.js backend: ${describeBackend(backend)}`);
  try {
    await runPipeline(target.loaded, {
      ...target,
      backend,
      progress,
      artifactsDir: artifacts,
      stages,
      earlierRun: earlierFinishedRun(flags.runs, loaded.config.name, target.runId),
      ...shardingOf(flags),
    });
  } catch (error) {
    progress.done();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n\nthe run is kept; continue it with: ${continueCommand(target, flags)}`, {
      cause: error,
    });
  }
  return target;
}

/** `--shards` / `--shard-bytes` as the pipeline's sharding; none when neither is given. */
function shardingOf(flags: PipelineFlags): { sharding?: Sharding } {
  if (flags.shards === undefined && flags.shardBytes === undefined) return {};
  return {
    sharding: ShardingSchema.parse({
      ...(flags.shards === undefined ? {} : { shards: flags.shards }),
      ...(flags.shardBytes === undefined ? {} : { shardBytes: flags.shardBytes }),
    }),
  };
}

/** A whole number of at least `min` from a flag, for commander's argParser. */
const atLeast = (min: number) => (text: string) => {
  const value = wholeNumber(text);
  if (value < min) throw new InvalidArgumentError(`expected at least ${min}; got '${text}'`);
  return value;
};

/** `index` only: the Workers index's split (docs/workers.md, "Large catalogues"). */
function addShardOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--shards <n>',
        "split the Workers index into n shards, each served by its own Durable Object (default: the config's index.worker, one shard)",
      ).argParser(atLeast(1)),
    )
    .addOption(
      new Option('--shard-bytes <bytes>', 'or: as many shards as it takes for shard files of about this size')
        .argParser(atLeast(1 << 16))
        .conflicts('shards'),
    );
}

function stagesToRun(run: RunTarget | undefined, requested: Requested, progress: ProgressReporter): Stage[] {
  if (requested !== 'pipeline') return [requested];
  if (!run) return [...STAGES];
  const ledger = readStageLedger(run.runDir);
  const left = unfinishedStages(ledger);
  const done = STAGES.filter((stage) => ledger.stages[stage]);
  if (left.length === 0) {
    progress.log(
      `run ${run.runId} finished every stage already; rerun one with dml-edge <stage> --run ${run.runId}`,
    );
  } else if (done.length > 0) {
    progress.log(`continuing run ${run.runId} with ${left[0]} (finished: ${done.join(', ')})`);
  }
  return left;
}

function openStrictRun(flags: PipelineFlags): RunTarget {
  const run = openRun(flags.runs, flags.run!, flags.config);
  if (flags.strict && !taskOf(run.loaded).strictData?.isStrict(run.loaded.config)) {
    throw new Error(
      `--strict applies when a run is created; run ${run.runId} keeps the config it was made with`,
    );
  }
  return run;
}

/** `--strict`: bad rows in interaction or item files fail the run instead of being skipped and counted. */
function withStrictData(loaded: PipelineConfig, strict: boolean | undefined): PipelineConfig {
  if (!strict) return loaded;
  const { strictData } = taskOf(loaded);
  if (!strictData) {
    const takers = TASKS.filter((task) => task.strictData).map((task) => task.name);
    throw new Error(
      `--strict applies to ${takers.join(', ')} configs (their CSV files); this config is not one`,
    );
  }
  return { ...loaded, config: strictData.strict(loaded.config) } as PipelineConfig;
}

/** The command that continues a run, with the flags that locate it when they are not the defaults. */
export function continueCommand(run: RunTarget, flags: PipelineFlags): string {
  const runsDir = resolve(run.runDir, '..');
  const words = ['dml-edge pipeline --run', run.runId];
  if (runsDir !== resolve('runs')) words.push('--runs', relative(process.cwd(), runsDir) || '.');
  if (flags.artifacts) words.push('--artifacts', flags.artifacts);
  return words.join(' ');
}

function addPipelineOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--config <file>',
        `training config; its task picks the pipeline: text, image or recommendation (default ${DEFAULT_CONFIG})`,
      ),
    )
    .addOption(new Option('--run <id>', 'an existing run: its own config is used (default: a new run)'))
    .addOption(runsOption())
    .addOption(backendOption())
    .addOption(artifactsOption())
    .addOption(
      new Option('--strict', 'recommendation configs: fail on bad CSV rows (default: skip and count them)'),
    );
}

const STAGE_SUMMARIES: Record<Exclude<Stage, 'publish'>, string> = {
  train: 'train a model (continues --run from its last checkpoint)',
  evaluate: 'evaluate a run on its held-out test split; writes eval.json',
  export: 'export fp32 and int8 ONNX, validate them, measure parity; writes export.json',
  index: 'embed the catalogue with the exported model into index.db and the Workers index (--shards N)',
  report: "rebuild a run's report.html",
};

/** `pipeline`, one command per stage, and `publish` (which can also upload to R2). */
export function pipelineCommands(): Command[] {
  const pipeline = addPipelineOptions(
    new Command('pipeline').description(
      `run the stages of a run that have not finished: ${STAGES.join(' -> ')}; --run <id> continues a run`,
    ),
  ).action(async (flags: PipelineFlags) => {
    await runPipelineCommand(flags, 'pipeline');
  });
  const stages = Object.entries(STAGE_SUMMARIES).map(([stage, summary]) => {
    const command = addPipelineOptions(new Command(stage).description(summary));
    return (stage === 'index' ? addShardOptions(command) : command).action(async (flags: PipelineFlags) => {
      await runPipelineCommand(flags, stage as Stage);
    });
  });
  const publish = r2Options(
    addPipelineOptions(
      new Command('publish').description(
        "publish a run's model, index and report to the artifacts directory (and, with --target r2, to R2)",
      ),
    ),
  ).action(async (flags: PipelineFlags & R2Flags) => {
    const run = await runPipelineCommand(flags, 'publish');
    if (flags.target) await uploadCurrentToR2(flags, artifactsDir(flags), run.loaded.config.name);
  });
  return [pipeline, ...stages, publish];
}
