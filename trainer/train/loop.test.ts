import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatMetrics,
  type LoopModel,
  type LoopOptions,
  runTrainingLoop,
  TrainingDivergedError,
} from './loop.ts';
import type { ProgressReporter } from './progress.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const quietProgress = (): ProgressReporter & { messages: string[] } => {
  const messages: string[] = [];
  return { messages, update: () => undefined, log: (m) => messages.push(m), done: () => undefined };
};

/**
 * A one-parameter model minimising (x - 3)^2 by gradient descent, whose validation score follows a
 * scripted sequence: enough to drive every branch of the loop with real state to save and restore.
 */
function quadraticModel(scores: number[], nanAtStep = -1): LoopModel & { x: Float32Array } {
  const x = Float32Array.from([0]);
  let validations = 0;
  return {
    x,
    async step(stepIndex) {
      if (stepIndex === nanAtStep) return { loss: Number.NaN, finite: false };
      const loss = (x[0] - 3) ** 2;
      x[0] -= 0.1 * 2 * (x[0] - 3);
      return { loss, finite: true };
    },
    validate: async () => ({ score: scores[Math.min(validations++, scores.length - 1)] }),
    snapshot: () => ({ arrays: { x: Float32Array.from(x) }, extra: { validations } }),
    restore(arrays, extra) {
      x.set(arrays.x);
      validations = extra.validations;
    },
  };
}

function options(overrides: Partial<LoopOptions> = {}): LoopOptions {
  const runDir = mkdtempSync(join(tmpdir(), 'loop-'));
  dirs.push(runDir);
  return {
    totalSteps: 20,
    batchSize: 4,
    evalEvery: 5,
    patience: 0,
    maxSeconds: 60,
    monitor: 'score',
    runDir,
    progress: quietProgress(),
    ...overrides,
  };
}

describe('training loop', () => {
  it('runs to completion, validating periodically and keeping the best checkpoint', async () => {
    const opts = options();
    const result = await runTrainingLoop(quadraticModel([0.1, 0.5, 0.3, 0.2]), opts);
    expect(result.stopReason).toBe('completed');
    expect(result.state.step).toBe(20);
    expect(result.state.history.validation.map((v) => v.step)).toEqual([5, 10, 15, 20]);
    expect(result.state.bestStep).toBe(10);
    expect(existsSync(join(opts.runDir, 'checkpoints', 'best', 'state.json'))).toBe(true);
    expect(existsSync(join(opts.runDir, 'metrics.json'))).toBe(true);
  });

  it('stops early after `patience` validations without improvement', async () => {
    const result = await runTrainingLoop(quadraticModel([0.5, 0.4, 0.3, 0.9]), options({ patience: 2 }));
    expect(result.stopReason).toBe('early-stopped');
    expect(result.state.step).toBe(15);
  });

  it('resumes from the last checkpoint with the same state', async () => {
    const opts = options({ totalSteps: 10 });
    const first = quadraticModel([0.1, 0.2]);
    await runTrainingLoop(first, opts);
    const resumed = quadraticModel([0.1, 0.2, 0.3, 0.4]);
    const result = await runTrainingLoop(resumed, { ...opts, totalSteps: 20 });
    expect(result.resumedFrom).toBe(10);
    expect(result.state.step).toBe(20);
    // 20 steps of descent in two runs equal 20 in one.
    const straight = quadraticModel([0]);
    for (let i = 0; i < 20; i++) straight.step(i);
    expect(resumed.x[0]).toBeCloseTo(straight.x[0], 6);
  });

  it('stops on a NaN loss with a clear message and keeps the last good checkpoint', async () => {
    const opts = options();
    const error = await runTrainingLoop(quadraticModel([0.1, 0.2, 0.3], 12), opts).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingDivergedError);
    expect(String(error.message)).toMatch(/NaN at step 13.*last good checkpoint/s);
    expect(existsSync(join(opts.runDir, 'checkpoints', 'last', 'state.json'))).toBe(true);
  });

  it('stops cleanly when the time budget is spent', async () => {
    const result = await runTrainingLoop(quadraticModel([0.1]), options({ maxSeconds: 0, totalSteps: 1000 }));
    expect(result.stopReason).toBe('time-budget');
    expect(result.state.step).toBe(1);
    expect(result.state.history.validation.length).toBe(1);
  });

  it('without a time budget takes every step', async () => {
    const result = await runTrainingLoop(
      quadraticModel([0.1]),
      options({ maxSeconds: undefined, totalSteps: 200, evalEvery: 50 }),
    );
    expect(result.stopReason).toBe('completed');
    expect(result.state.step).toBe(200);
  });
});

describe('metric lines', () => {
  it('print counts as integers and every other metric with four decimals', () => {
    const line = formatMetrics({
      precision_at_1: 1,
      recall_at_10: 0.45291,
      queries: 2356,
      k: 16,
      triplet_tuples: 640,
      triplet_nonzero: 12,
      stsb_dev_pairs: 1500,
      mean_tuples: 2.5,
    });
    expect(line).toBe(
      'precision_at_1 1.0000, recall_at_10 0.4529, queries 2356, k 16, triplet_tuples 640, ' +
        'triplet_nonzero 12, stsb_dev_pairs 1500, mean_tuples 2.5000',
    );
  });
});
