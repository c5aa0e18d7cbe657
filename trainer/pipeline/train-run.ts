import { existsSync, mkdirSync } from 'node:fs';
import { z } from 'zod';
import { writeJsonAtomicSync } from '../../shared/artifacts/atomic-fs.ts';
import { leaveDeviceBackend, trainOn } from '../backend/host-backend.ts';
import { type BackendInfo, BackendInfoSchema } from '../backend/index.ts';
import { type LoopModel, type LoopResult, runTrainingLoop, StopReasonSchema } from '../train/loop.ts';
import type { ProgressReporter } from '../train/progress.ts';
import { readJsonFile } from '../util/read-json-file.ts';
import { runPath, writeRunFile } from './run-dir.ts';

/** What every train stage records in run.json (a task extends it with its own fields). */
export const TrainedRunInfoSchema = z.object({
  runId: z.string(),
  version: z.string(),
  name: z.string(),
  backend: BackendInfoSchema,
  dataFingerprint: z.string(),
  stopReason: StopReasonSchema,
  steps: z.number().int().nonnegative(),
  bestStep: z.number().int(),
  seconds: z.number().nonnegative(),
  finishedAt: z.string(),
});
export type TrainedRunInfo = z.infer<typeof TrainedRunInfoSchema>;

/** A config's `train` settings that drive the loop (every task's config has them). */
interface LoopSettings {
  evalEvery: number;
  patience: number;
  /** Absent: no time limit. */
  maxMinutes?: number;
  monitor: string;
}

/**
 * Pins the config to the run folder: a new run writes it; a resumed run must bring the same config, since
 * its checkpoint was trained with it.
 */
export function pinRunConfig(runDir: string, config: unknown): void {
  mkdirSync(runDir, { recursive: true });
  const configPath = runPath(runDir, 'config');
  if (!existsSync(configPath)) {
    writeJsonAtomicSync(configPath, config);
    return;
  }
  if (JSON.stringify(readJsonFile(configPath)) !== JSON.stringify(config)) {
    throw new Error(`${configPath} differs from the config given: a run resumes only with its own config`);
  }
}

/**
 * Runs the training loop with the config's settings, then writes run.json (the common fields plus
 * `extra`, given as is or computed from the loop's result) and logs how training ended.
 */
export async function trainAndRecord<Extra extends object>(
  model: LoopModel,
  options: {
    config: { name: string; train: LoopSettings };
    runId: string;
    version: string;
    backend: BackendInfo;
    runDir: string;
    progress: ProgressReporter;
    totalSteps: number;
    batchSize: number;
    dataFingerprint: string;
    extra: Extra | ((result: LoopResult) => Extra);
  },
): Promise<TrainedRunInfo & Extra> {
  const { config, runDir, progress } = options;
  await trainOn(options.backend);
  const result = await runTrainingLoop(model, {
    totalSteps: options.totalSteps,
    batchSize: options.batchSize,
    evalEvery: config.train.evalEvery,
    patience: config.train.patience,
    maxSeconds: config.train.maxMinutes === undefined ? undefined : config.train.maxMinutes * 60,
    monitor: config.train.monitor,
    runDir,
    progress,
  });
  await leaveDeviceBackend();
  const info = {
    runId: options.runId,
    version: options.version,
    name: config.name,
    backend: options.backend,
    dataFingerprint: options.dataFingerprint,
    stopReason: result.stopReason,
    steps: result.state.step,
    bestStep: result.state.bestStep,
    seconds: result.state.seconds,
    ...(typeof options.extra === 'function' ? options.extra(result) : options.extra),
    finishedAt: new Date().toISOString(),
  };
  writeRunFile(runDir, 'run', TrainedRunInfoSchema, info);
  progress.log(
    `training stopped (${result.stopReason}) after ${info.steps} steps in ${info.seconds.toFixed(0)} s; ` +
      `best ${config.train.monitor} ${result.state.bestValue.toFixed(4)} at step ${info.bestStep}`,
  );
  return info;
}
