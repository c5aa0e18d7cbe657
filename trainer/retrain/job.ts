import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomicSync } from '../../shared/artifacts/atomic-fs.ts';
import { ModelNameSchema } from '../../shared/manifest.ts';
import { type BackendChoice, initBackend } from '../backend/index.ts';
import { type RUN_FILES, runPath } from '../pipeline/run-dir.ts';
import { ChampionChangedError, promoteVersion } from '../registry/champion.ts';
import { reconcileRegistry } from '../registry/reconcile.ts';
import { openVersionRegistry, type VersionRegistry } from '../registry/registry.ts';
import { retrainHooksOf } from '../tasks/index.ts';
import type { ProgressReporter } from '../train/progress.ts';
import { chooseCandidate } from './candidate.ts';
import type { RetrainConfig } from './config.ts';
import type { EventLog } from './event-log.ts';
import { judge } from './gate.ts';
import { killPoint, killWhenFileAppears } from './kill-points.ts';
import { acquireJobLock, describeHolder } from './lock.ts';
import { publishCandidate } from './publish-candidate.ts';
import type { Snapshot } from './snapshot.ts';
import { EXIT_CODES, type RetrainResult, type RetrainSummary } from './summary.ts';
import type { RetrainStage, RetrainTask, StageContext } from './task.ts';

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
  /**
   * The events the edges recorded (the Node server's state database, the Worker's D1 database, or
   * both); recommendation models train on them.
   */
  events?: EventLog | readonly EventLog[];
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
  /** Where the snapshot's recorded events came from, once it is taken. */
  events?: RetrainSummary['events'];
}

/** The snapshot's event parts: how many events came from which edge (none for text models). */
function eventCounts(snapshot: Snapshot): RetrainSummary['events'] {
  const parts = snapshot.parts.filter((part) => part.source.startsWith('edge-events'));
  if (parts.length === 0) return undefined;
  return parts.map((part) => ({
    source: part.source,
    from: part.description,
    records: part.records,
    new: part.newRecords,
  }));
}

/**
 * The nightly job for one model of a task that retrains (its definition in trainer/tasks/<task>/task.ts): snapshot the data, train a candidate
 * (resuming a previous attempt on the same snapshot and config), evaluate it and the champion on the same
 * evaluation set, gate, then run the remaining stages, publish and switch the `current` pointer last. Every step leaves the champion serving and
 * intact until that switch; every step's output stays in the run folder, so a rerun continues where a
 * killed job stopped. Never throws: failures come back as a `failed` summary.
 */
export async function runRetrain(options: RetrainOptions): Promise<RetrainResult> {
  const started = performance.now();
  const { config, progress } = options;
  const model = config.training.config.name;
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
      ...(attempt.events && { events: attempt.events }),
      ...fields,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    if (attempt.runDir && existsSync(attempt.runDir))
      writeJsonAtomicSync(join(attempt.runDir, 'retrain.json'), summary);
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
      const task = retrainTask(config, options.events);
      const { status, ...fields } = await retrain(options, task, registry, attempt);
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

/** What differs by the kind of model: the training config's task creates it (its definition's retrain hooks). */
function retrainTask(config: RetrainConfig, events: RetrainOptions['events']): RetrainTask {
  const { training } = config;
  const hooks = retrainHooksOf(training, training.config.name);
  const logs: readonly EventLog[] = events === undefined ? [] : Array.isArray(events) ? events : [events];
  if (hooks.needsEventLogs && logs.length === 0)
    throw new Error(`${training.config.name} trains on the edge's events: give the job its event log`);
  return hooks.create(training.config, { events: logs });
}

async function retrain(
  options: RetrainOptions,
  task: RetrainTask,
  registry: VersionRegistry,
  attempt: Attempt,
): Promise<Outcome> {
  const { config, artifactsDir, progress } = options;
  const { model } = task;
  for (const change of await reconcileRegistry(registry, artifactsDir, model))
    progress.log(`registry: ${change}`);
  const champion = registry.champion(model);
  progress.log(`retrain ${model}: champion ${champion?.version ?? 'none'}; registry ${registry.path}`);

  // 1. Snapshot the data, then skip, resume an earlier attempt, or start a new candidate.
  const choice = await chooseCandidate({
    registry,
    task,
    runsDir: options.runsDir,
    champion,
    force: options.force ?? false,
    progress,
  });
  const candidate = choice.version;
  attempt.version = candidate.version;
  attempt.events = eventCounts(choice.snapshot);
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
  attempt.runDir = runDir;
  const context: StageContext = {
    runDir,
    runId: candidate.runId ?? `${model}-${version}`,
    version,
    backend: await initBackend(options.backend ?? task.backend),
    progress,
  };

  // 2. Train (resuming from the run's last checkpoint), evaluate on its own split, export; what else the
  // comparison reads (a recommendation model's index).
  for (const name of task.stagesBeforeGate) await stage(name, task, context);

  // 3-4. Champion and candidate on the same evaluation set, as served; the gate decides.
  const comparison = await task.compare({
    registry,
    artifactsDir,
    model,
    runDir,
    champion: champion?.version,
    progress,
  });
  writeJsonAtomicSync(join(runDir, 'comparison.json'), comparison);
  registry.recordMetrics(model, version, comparison.evalSet.sha256, comparison.candidate);
  const decision = judge(config.gate, comparison.candidate, comparison.champion?.scores);
  const refusal = task.refusal(runDir);
  const promote = decision.promote && refusal === undefined;
  const verdict = {
    version,
    candidate: decision.candidate,
    champion: decision.champion,
    // A refusal comes first; the gate's verdict follows when it rejects too.
    reason:
      refusal === undefined ? decision.reason : decision.promote ? refusal : `${refusal}; ${decision.reason}`,
  };
  progress.log(`gate: ${promote ? 'promote' : 'reject'}: ${verdict.reason}`);
  if (!promote) {
    registry.setStatus(model, version, 'rejected', verdict.reason);
    return { status: 'rejected', ...verdict };
  }

  // 5. The remaining stages, then publish the version folder; 6. switch the pointer last (the edge follows it).
  for (const name of task.stagesAfterGate) {
    if (name !== 'report' || config.report) await stage(name, task, context);
  }
  await publishCandidate({ task, runDir, runId: context.runId, artifactsDir, version, progress });
  registry.markPublished(model, version);
  killPoint('mid-publish');
  try {
    await promoteVersion({
      registry,
      artifactsDir,
      model,
      version,
      reason: verdict.reason,
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
} as const satisfies Record<RetrainStage, keyof typeof RUN_FILES>;

/** Runs a stage unless an earlier attempt finished it; the kill points land at known steps. */
async function stage(name: RetrainStage, task: RetrainTask, context: StageContext): Promise<void> {
  const { runDir, progress } = context;
  if (existsSync(runPath(runDir, STAGE_OUTPUT[name]))) {
    progress.log(`== ${name}: done by an earlier attempt`);
    return;
  }
  const started = performance.now();
  progress.log(`== ${name}`);
  const work = () => task.stages[name](context);
  // The export writes model.onnx, then checks it in a child process, which gives the event loop its turn.
  await (name === 'export' ? killWhenFileAppears('mid-export', runPath(runDir, 'model'), work) : work());
  if (name === 'train') killPoint('after-training');
  progress.log(`== ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
