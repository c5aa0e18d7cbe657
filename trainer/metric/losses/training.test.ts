import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createLoss, type LossConfigInput } from '../create-loss.ts';
import { createSampler } from '../samplers/index.ts';
import { useWasmBackend } from '../testing/backend.ts';
import { flat } from '../testing/data.ts';
import { LOSS_CASES } from '../testing/loss-cases.ts';
import {
  CLASSES,
  clusteredTask,
  EMBEDDING_DIM,
  INPUT_DIM,
  projectUntrained,
  recallAt1,
  secondView,
  trainProjection,
} from '../testing/training.ts';

useWasmBackend();

// Every loss trains a linear projection on a small clustered set: its loss falls and held-out retrieval
// (leave-one-out recall@1) improves from the random projection's.
const task = clusteredTask(7);
const STEPS = 40;
const baseline = recallAt1(projectUntrained(task.test.X), task.test.labels);

function expectImproved(run: ReturnType<typeof trainProjection>) {
  const after = recallAt1(run.project(task.test.X), task.test.labels);
  expect(run.lossAfter).toBeLessThan(run.lossBefore);
  expect(after).toBeGreaterThan(baseline + 0.3);
}

describe('each loss trains', () => {
  it('starts from a poor projection', () => {
    expect(baseline).toBeLessThan(0.6);
  });

  // Class-labelled losses see m_per_class batches: 4 rows from each of the 6 classes.
  const sampler = createSampler(
    { name: 'm_per_class', m: 4, batch_size: 24, length: 24 * STEPS, seed: 1 },
    task.train.labels,
  );
  const batches = sampler.epoch(0);
  const classLosses = LOSS_CASES.filter((c) => c.labels === 'classes' && c.notTrained === undefined);
  it.each(classLosses.map((c) => [c.title, c] as const))('%s', (_, lossCase) => {
    const loss = createLoss(lossCase.config(EMBEDDING_DIM, CLASSES));
    const run = trainProjection(loss, STEPS, (i) => ({
      X: Array.from(batches[i], (row) => task.train.X[row]),
      labels: tf.tensor1d(
        Array.from(batches[i], (row) => task.train.labels[row]),
        'int32',
      ),
    }));
    expectImproved(run);
  });

  it.each([
    ['multiple_negatives_ranking', { name: 'multiple_negatives_ranking' }],
    ['multiple_negatives_ranking (symmetric)', { name: 'multiple_negatives_ranking', symmetric: true }],
    ['self_supervised', { name: 'self_supervised' }],
  ] as [string, LossConfigInput][])('%s learns from two views of unlabeled rows', (_, config) => {
    // Row i and its second view are the positive pair; nothing tells the loss about classes.
    const loss = createLoss(config);
    const run = trainProjection(loss, STEPS, (i) => {
      const views = secondView(task.train.X, 1000 + i);
      return {
        X: secondView(task.train.X, 2000 + i),
        labels: tf.range(0, views.length, 1, 'int32') as tf.Tensor1D,
        options: (project) => ({
          refEmbeddings: project(tf.tensor2d(flat(views), [views.length, INPUT_DIM])),
        }),
      };
    });
    expectImproved(run);
  });

  it('cosent learns from graded pairs', () => {
    // Pairs (row r, another row that changes every step): score 1 for the same class, 0 otherwise.
    const loss = createLoss({ name: 'cosent' });
    const n = task.train.X.length;
    const run = trainProjection(loss, STEPS, (i) => {
      const partner = task.train.X.map((_, r) => (r + 1 + ((i * 7 + r) % (n - 1))) % n);
      const partners = partner.map((j) => task.train.X[j]);
      const scores = partner.map((j, r) => (task.train.labels[j] === task.train.labels[r] ? 1 : 0));
      return {
        X: task.train.X,
        labels: tf.tensor1d(scores),
        options: (project) => ({ refEmbeddings: project(tf.tensor2d(flat(partners), [n, INPUT_DIM])) }),
      };
    });
    expectImproved(run);
  });

  it('cross_batch_memory trains on small batches against its memory', () => {
    const loss = createLoss({
      name: 'cross_batch_memory',
      loss: { name: 'contrastive' },
      embedding_size: EMBEDDING_DIM,
      memory_size: 60,
    });
    const run = trainProjection(loss, STEPS, (i) => {
      const rows = Array.from({ length: 12 }, (_, k) => (i * 12 + k) % task.train.X.length);
      return {
        X: rows.map((r) => task.train.X[r]),
        labels: tf.tensor1d(
          rows.map((r) => task.train.labels[r]),
          'int32',
        ),
      };
    });
    expect(recallAt1(run.project(task.test.X), task.test.labels)).toBeGreaterThan(baseline + 0.3);
  });
});
