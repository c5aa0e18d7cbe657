import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelNameSchema } from '../../shared/manifest.ts';
import { type BackendChoice, initBackend } from '../backend/index.ts';
import { type RUN_FILES, runPath } from '../pipeline/run-dir.ts';
import { evaluateTextStage } from '../pipeline/text-evaluate.ts';
import { exportTextStage } from '../pipeline/text-export.ts';
import { indexTextStage } from '../pipeline/text-index.ts';
import { reportTextStage } from '../pipeline/text-report.ts';
import { trainTextStage } from '../pipeline/text-train.ts';
import { ChampionChangedError, promoteVersion } from '../registry/champion.ts';
import { reconcileRegistry } from '../registry/reconcile.ts';
import { openVersionRegistry, type VersionRegistry } from '../registry/registry.ts';
import type { ProgressReporter } from '../train/progress.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { chooseCandidate } from './candidate.ts';
import { compareWithChampion } from './compare.ts';
import type { RetrainConfig } from './config.ts';
import { wordnetSplits } from './frozen-eval.ts';
import { judge } from './gate.ts';
import { killPoint, killWhenFileAppears } from './kill-points.ts';
import { acquireJobLock, describeHolder } from './lock.ts';
import { publishCandidate } from './publish-candidate.ts';
import { EXIT_CODES, type RetrainResult, type RetrainSummary } from './summary.ts';

export interface RetrainOptions {
  config: RetrainConfig;
  artifactsDir: string;
  runsDir: string;
  registryPath: string;
  /** Overrides the training config's backend. */
  backend?: BackendChoice;
  /** Retrain even when a version was already trained on this snapshot with this config. */
  force?: boolean;
  /** Wait for a running job of the same model instead of exiting with EXIT_CODES.locked. */
  wait?: boolean;
  progress: ProgressReporter;
}

/** One lock per model, beside the model's folder (the server only lists folders). */
export function lockPath(artifactsDir: string, model: string): string {
  return join(artifactsDir, `${ModelNameSchema.parse(model)}.retrain.lock`);
}

type Outcome = Omit<RetrainSummary, 'model' | 'metric' | 'seconds'> & {
  status: 'promoted' | 'rejected' | 'skipped';
};

/** What the job has got to, so a failure can still name the version and write the summary. */
interface Attempt {
  version: string | null;
  runDir: string | null;
}

/**
 * The nightly job for one model: snapshot the data, train a candidate (resuming a previous attempt on
 * the same snapshot and config), evaluate it and the champion on the frozen evaluation set, gate, then
 * index, publish and switch the `current` pointer last. Every step leaves the champion serving and
 * intact until that switch; every step's output stays in the run folder, so a rerun continues where a
 * killed job stopped. Never throws: failures come back as a `failed` summary.
 */
export async function runRetrain(options: RetrainOptions): Promise<RetrainResult> {
  const started = performance.now();
  const { config, progress } = options;
  const model = config.training.name;
  const attempt: Attempt = { version: null, runDir: null };
  const finish = (
    status: RetrainSummary['status'],
    exitCode: RetrainResult['exitCode'],
    fields: Partial<RetrainSummary> & { reason: string },
  ): RetrainResult => {
    const summary: RetrainSummary = {
      status,
      model,
      version: attempt.version,
      metric: config.gate.metric,
      candidate: null,
      champion: null,
      ...fields,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    if (attempt.runDir && existsSync(attempt.runDir))
      writeJsonAtomic(join(attempt.runDir, 'retrain.json'), summary);
    return { summary, exitCode };
  };

  const path = lockPath(options.artifactsDir, model);
  let lock: Awaited<ReturnType<typeof acquireJobLock>>;
  try {
    lock = await acquireJobLock(path, {
      wait: options.wait,
      onWait: (holder) =>
        progress.log(`waiting for the retrain job that holds ${path}: ${describeHolder(holder)}`),
      onStale: (holder) =>
        progress.log(`warning: taking over ${path}, left by a job that is gone (${describeHolder(holder)})`),
    });
  } catch (error) {
    return finish('failed', EXIT_CODES.failed, { reason: (error as Error).message });
  }
  if (!lock.acquired) {
    return finish('failed', EXIT_CODES.locked, {
      reason: `locked: another retrain of ${model} is running (${describeHolder(lock.holder)}); lock file ${path}`,
    });
  }
  try {
    const registry = await openVersionRegistry(options.registryPath);
    try {
      const { status, ...fields } = await retrain(options, registry, attempt);
      return finish(status, EXIT_CODES[status], fields);
    } finally {
      registry.close();
    }
  } catch (error) {
    if (process.env.DML_EDGE_DEBUG) console.error(error);
    return finish('failed', EXIT_CODES.failed, { reason: (error as Error).message });
  } finally {
    await lock.release();
  }
}

async function retrain(
  options: RetrainOptions,
  registry: VersionRegistry,
  attempt: Attempt,
): Promise<Outcome> {
  const { config, artifactsDir, progress } = options;
  const training = config.training;
  const model = training.name;
  for (const change of await reconcileRegistry(registry, artifactsDir, model))
    progress.log(`registry: ${change}`);
  const champion = registry.champion(model);
  progress.log(`retrain ${model}: champion ${champion?.version ?? 'none'}; registry ${registry.path}`);

  // 1. Snapshot the data, then skip, resume an earlier attempt, or start a new candidate.
  const choice = await chooseCandidate({
    registry,
    training,
    runsDir: options.runsDir,
    champion,
    force: options.force ?? false,
    progress,
  });
  const candidate = choice.version;
  attempt.version = candidate.version;
  if (choice.kind === 'done') {
    return {
      status: 'skipped',
      version: candidate.version,
      candidate: candidate.metrics?.[config.gate.metric] ?? null,
      champion: null,
      reason:
        `${candidate.version} was already trained on this data snapshot with this config ` +
        `(${candidate.status}: ${candidate.reason}); --force retrains`,
    };
  }
  const { version } = candidate;
  const runDir = candidate.runDir!;
  const runId = candidate.runId ?? `${model}-${version}`;
  attempt.runDir = runDir;

  // 2. Train (resuming from the run's last checkpoint), evaluate on its own split, export fp32 and int8.
  const backend = await initBackend(options.backend ?? training.backend);
  await stage('train', runDir, progress, () =>
    trainTextStage({ config: training, runDir, runId, version, backend, progress }),
  );
  killPoint('after-training');
  await stage('evaluate', runDir, progress, () => evaluateTextStage(runDir, progress));
  await stage('export', runDir, progress, () =>
    killWhenFileAppears('mid-export', runPath(runDir, 'model'), () => exportTextStage(runDir, progress)),
  );

  // 3-4. Champion and candidate on the same frozen set, as served; the gate decides.
  const comparison = await compareWithChampion({
    registry,
    artifactsDir,
    model,
    candidate: { config: training, runDir },
    champion: champion?.version,
    splits: wordnetSplits(),
    progress,
  });
  writeJsonAtomic(join(runDir, 'comparison.json'), comparison);
  registry.recordMetrics(model, version, comparison.evalSet.sha256, comparison.candidate);
  const decision = judge(config.gate, comparison.candidate, comparison.champion?.scores);
  const verdict = {
    version,
    candidate: decision.candidate,
    champion: decision.champion,
    reason: decision.reason,
  };
  progress.log(`gate: ${decision.promote ? 'promote' : 'reject'}: ${decision.reason}`);
  if (!decision.promote) {
    registry.setStatus(model, version, 'rejected', decision.reason);
    return { status: 'rejected', ...verdict };
  }

  // 5. Index, report, publish the version folder; 6. switch the pointer last (the edge follows it).
  await stage('index', runDir, progress, () => indexTextStage(runDir, progress));
  if (config.report) await stage('report', runDir, progress, () => reportTextStage(runDir, progress));
  await publishCandidate({ runDir, runId, artifactsDir, model, version, progress });
  registry.markPublished(model, version);
  killPoint('mid-publish');
  try {
    await promoteVersion({
      registry,
      artifactsDir,
      model,
      version,
      reason: decision.reason,
      expectedChampion: champion?.version ?? null,
    });
  } catch (error) {
    if (!(error instanceof ChampionChangedError)) throw error;
    throw new Error(
      `${error.message}: ${version} stays a candidate; the next run compares it with the new champion`,
    );
  }
  progress.log(`${model}@${version} is live`);
  return { status: 'promoted', ...verdict };
}

/** Stages whose output file exists were completed by an earlier attempt of this run. */
const STAGE_OUTPUT = {
  train: 'run',
  evaluate: 'evaluation',
  export: 'exportInfo',
  index: 'indexInfo',
  report: 'report',
} as const satisfies Record<string, keyof typeof RUN_FILES>;

async function stage(
  name: keyof typeof STAGE_OUTPUT,
  runDir: string,
  progress: ProgressReporter,
  work: () => Promise<unknown>,
): Promise<void> {
  if (existsSync(runPath(runDir, STAGE_OUTPUT[name]))) {
    progress.log(`== ${name}: done by an earlier attempt`);
    return;
  }
  const started = performance.now();
  progress.log(`== ${name}`);
  await work();
  progress.log(`== ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
