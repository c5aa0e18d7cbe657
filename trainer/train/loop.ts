import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { JsonNumberSchema } from '../../shared/validation.ts';
import { onHostBackend } from '../backend/host-backend.ts';
import { writeRunFile } from '../pipeline/run-dir.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import type { ProgressReporter } from './progress.ts';
import type { StepResult } from './step-result.ts';

/** What the loop drives: one model with its optimiser, able to step, validate and round-trip its state. */
export interface LoopModel {
  step(stepIndex: number): Promise<StepResult>;
  validate(): Promise<Record<string, number>>;
  /** Weights and optimiser state as arrays, plus small JSON-able extras (e.g. Adam's step count). */
  snapshot(): { arrays: Record<string, Float32Array>; extra: Record<string, number> };
  restore(arrays: Record<string, Float32Array>, extra: Record<string, number>): void;
}

export interface LoopOptions {
  totalSteps: number;
  batchSize: number;
  evalEvery: number;
  /** Validations without improvement before stopping early; 0 disables early stopping. */
  patience: number;
  /** Wall-clock budget for this process's share of the run; absent, the run has no time limit. */
  maxSeconds?: number;
  /** Validation metric to maximise for best-checkpoint selection and early stopping. */
  monitor: string;
  runDir: string;
  progress: ProgressReporter;
}

export const StopReasonSchema = z.enum(['completed', 'early-stopped', 'time-budget']);
export type StopReason = z.infer<typeof StopReasonSchema>;

const MetricRecordSchema = z.record(z.string(), JsonNumberSchema);

export const LoopHistorySchema = z.object({
  train: z.array(
    z.object({
      step: z.number().int(),
      loss: JsonNumberSchema,
      samplesPerSecond: JsonNumberSchema,
      stats: MetricRecordSchema.optional(),
    }),
  ),
  validation: z.array(z.object({ step: z.number().int(), metrics: MetricRecordSchema })),
});
export type LoopHistory = z.infer<typeof LoopHistorySchema>;

/** The loop's state, written to the run's metrics.json after every validation and at the end. */
export const LoopStateSchema = z.object({
  step: z.number().int().nonnegative(),
  bestStep: z.number().int(),
  /** -Infinity before the first validation: null in the file, NaN when read back. */
  bestValue: JsonNumberSchema,
  evalsSinceBest: z.number().int().nonnegative(),
  seconds: z.number().nonnegative(),
  history: LoopHistorySchema,
  extra: z.record(z.string(), z.number()),
});
export type LoopState = z.infer<typeof LoopStateSchema>;

export interface LoopResult {
  stopReason: StopReason;
  state: LoopState;
  resumedFrom: number | null;
}

export class TrainingDivergedError extends Error {}

const TRAIN_LOG_EVERY = 20;

/**
 * Seeded, resumable training: validates every `evalEvery` steps, keeps the best checkpoint by
 * `monitor`, stops early after `patience` validations without improvement, and stops cleanly at the
 * time budget. A NaN/Inf loss stops the run and leaves the last good checkpoint in place.
 */
export async function runTrainingLoop(model: LoopModel, options: LoopOptions): Promise<LoopResult> {
  const checkpoints = join(options.runDir, 'checkpoints');
  mkdirSync(checkpoints, { recursive: true });
  const lastDir = join(checkpoints, 'last');
  const bestDir = join(checkpoints, 'best');
  const { progress } = options;

  const resumed = loadCheckpoint<LoopState>(lastDir);
  const state: LoopState = resumed?.state ?? {
    step: 0,
    bestStep: -1,
    bestValue: Number.NEGATIVE_INFINITY,
    evalsSinceBest: 0,
    seconds: 0,
    history: { train: [], validation: [] },
    extra: {},
  };
  const resumedFrom = resumed ? resumed.state.step : null;
  if (resumed) {
    model.restore(resumed.arrays, resumed.state.extra);
    progress.log(`resuming from ${lastDir} at step ${state.step}`);
  }

  const save = (dir: string) => {
    const { arrays, extra } = model.snapshot();
    state.extra = extra;
    saveCheckpoint(dir, { state, arrays });
  };
  const writeMetrics = () => writeRunFile(options.runDir, 'metrics', LoopStateSchema, state);

  const started = performance.now();
  const secondsBefore = state.seconds;
  let windowStart = performance.now();
  let windowSteps = 0;
  let windowLoss = 0;
  let stopReason: StopReason = 'completed';

  while (state.step < options.totalSteps) {
    const result = await model.step(state.step);
    if (!result.finite) {
      progress.done();
      throw new TrainingDivergedError(
        `training diverged: the loss became ${result.loss} at step ${state.step + 1}. ` +
          `The last good checkpoint (saved at the last validation) is kept in ${lastDir}; ` +
          'lower the learning rate or check the data, then rerun to resume from it.',
      );
    }
    state.step += 1;
    windowSteps += 1;
    windowLoss += result.loss;
    state.seconds = secondsBefore + (performance.now() - started) / 1000;

    const windowSeconds = (performance.now() - windowStart) / 1000;
    const samplesPerSecond = (windowSteps * options.batchSize) / Math.max(windowSeconds, 1e-9);
    const secondsPerStep = windowSeconds / windowSteps;
    const remainingBySteps = (options.totalSteps - state.step) * secondsPerStep;
    const remainingByBudget =
      (options.maxSeconds ?? Number.POSITIVE_INFINITY) - (performance.now() - started) / 1000;
    progress.update({
      step: state.step,
      totalSteps: options.totalSteps,
      loss: windowLoss / windowSteps,
      samplesPerSecond,
      etaSeconds: Math.min(remainingBySteps, Math.max(0, remainingByBudget)),
    });
    if (windowSteps >= TRAIN_LOG_EVERY) {
      const stats = result.stats ? { ...result.stats } : undefined;
      state.history.train.push({ step: state.step, loss: windowLoss / windowSteps, samplesPerSecond, stats });
      if (stats && stalledLoss(stats)) {
        progress.log(
          `step ${state.step}: the loss had no non-zero terms (${formatMetrics(stats)}): nothing to learn from`,
        );
      }
      windowStart = performance.now();
      windowSteps = 0;
      windowLoss = 0;
    }

    const outOfTime = remainingByBudget <= 0;
    if (state.step % options.evalEvery === 0 || state.step === options.totalSteps || outOfTime) {
      const metrics = await onHostBackend(() => model.validate());
      state.history.validation.push({ step: state.step, metrics });
      const value = metrics[options.monitor];
      if (value === undefined)
        throw new Error(`validation did not report the monitored metric '${options.monitor}'`);
      const improved = value > state.bestValue;
      if (improved) {
        state.bestValue = value;
        state.bestStep = state.step;
        state.evalsSinceBest = 0;
        save(bestDir);
      } else {
        state.evalsSinceBest += 1;
      }
      progress.log(
        `validation at step ${state.step}: ${formatMetrics(metrics)}${improved ? ' (best so far, saved)' : ''}`,
      );
      save(lastDir);
      writeMetrics();
      if (options.patience > 0 && state.evalsSinceBest >= options.patience) {
        stopReason = 'early-stopped';
        break;
      }
      if (outOfTime) {
        stopReason = 'time-budget';
        break;
      }
    }
  }
  progress.done();
  writeMetrics();
  return { stopReason, state, resumedFrom };
}

/** True when the loss recorded tuples but none of them contributed (e.g. a miner finding nothing hard). */
function stalledLoss(stats: Record<string, number>): boolean {
  const nonzero = Object.entries(stats).filter(([name]) => name.endsWith('_nonzero'));
  return nonzero.length > 0 && nonzero.every(([, value]) => value === 0);
}

/**
 * Names of counts in metric records (`queries`, `k`, `users`, a loss's `triplet_tuples`, a benchmark's
 * `stsb_dev_pairs`): they print as integers, every other metric with four decimals.
 */
const COUNT_NAME =
  /^(k|n|steps|queries|users|items|pairs|texts|classes|references)$|^num_|_(tuples|nonzero|count|steps|queries|users|items|pairs|texts)$/;

export function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([name, value]) => `${name} ${formatMetric(name, value)}`)
    .join(', ');
}

function formatMetric(name: string, value: number): string {
  return COUNT_NAME.test(name) && Number.isInteger(value) ? String(value) : value.toFixed(4);
}
