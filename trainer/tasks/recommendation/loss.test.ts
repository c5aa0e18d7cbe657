import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../shared/random.ts';
import { LossConfigSchema } from '../../metric/index.ts';
import { useWasmBackend } from '../../metric/testing/backend.ts';
import { parseRecsConfig } from './config.ts';
import { createRecsLoss } from './loss.ts';

useWasmBackend();

function unitRows(rows: number, dim: number, seed: number): number[][] {
  const random = mulberry32(seed);
  return Array.from({ length: rows }, () => {
    const v = Array.from({ length: dim }, () => random() * 2 - 1);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
}

/** Mean over rows of -log softmax(logits[i])[i], in plain arithmetic. */
function meanCrossEntropy(logits: number[][]): number {
  return (
    logits.reduce((sum, row, i) => {
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
      return sum + logSum - row[i];
    }, 0) / logits.length
  );
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('createRecsLoss', () => {
  const users = unitRows(6, 5, 1);
  const items = unitRows(6, 5, 2);
  const logQ = Float32Array.from([-1, -3, -0.5, -6, -2, -2]);
  const scale = 20;

  it('is in-batch softmax over scale * cosine without popularity correction (multiple_negatives_ranking)', () => {
    const loss = createRecsLoss(LossConfigSchema.parse({ name: 'multiple_negatives_ranking', scale }), false);
    const value = tf.tidy(() => loss.compute(tf.tensor2d(users), tf.tensor2d(items), logQ).dataSync()[0]);
    const expected = meanCrossEntropy(users.map((u) => items.map((v) => scale * dot(u, v))));
    expect(value).toBeCloseTo(expected, 4);
  });

  it('subtracts log q of each candidate item from its logit with popularity correction', () => {
    const loss = createRecsLoss(LossConfigSchema.parse({ name: 'multiple_negatives_ranking', scale }), true);
    const value = tf.tidy(() => loss.compute(tf.tensor2d(users), tf.tensor2d(items), logQ).dataSync()[0]);
    const expected = meanCrossEntropy(users.map((u) => items.map((v, j) => scale * dot(u, v) - logQ[j])));
    expect(value).toBeCloseTo(expected, 4);
    const uncorrected = meanCrossEntropy(users.map((u) => items.map((v) => scale * dot(u, v))));
    expect(Math.abs(expected - uncorrected)).toBeGreaterThan(0.1);
  });

  it('runs any other library loss with the batch’s other positives as negatives (a triplet hinge)', async () => {
    const loss = createRecsLoss(LossConfigSchema.parse({ name: 'triplet_margin', margin: 0.2 }), false);
    const value = tf.tidy(() => loss.compute(tf.tensor2d(users), tf.tensor2d(items), logQ).dataSync()[0]);
    expect(value).toBeGreaterThan(0);
    expect((await loss.readStats()).loss_tuples).toBe(6 * 5);
  });

  it('accepts popularity correction only with multiple_negatives_ranking in its plain form', () => {
    const base = {
      name: 'x',
      data: { interactions: ['r.csv'], items: 'm.csv' },
      train: {},
      index: { collection: 'x' },
    };
    const parse = (extra: object) => () => parseRecsConfig({ ...base, ...extra }, 'config', '/');
    expect(parse({ loss: { name: 'multiple_negatives_ranking' }, popularityCorrection: true })).not.toThrow();
    for (const loss of [
      { name: 'triplet_margin' },
      { name: 'multiple_negatives_ranking', symmetric: true },
      { name: 'multiple_negatives_ranking', distance: { name: 'lp' } },
    ]) {
      expect(parse({ loss, popularityCorrection: true })).toThrow(
        /popularityCorrection: needs loss multiple_negatives_ranking/,
      );
    }
  });
});
