import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TINY_NORMALIZATION, tinyCnnTrainer } from '../../../test/fixtures/tiny-cnn-trainer.ts';
import { initBackend } from '../../backend/index.ts';
import { createLoss, type LossConfigInput } from '../../metric/index.ts';
import { NO_AUGMENTATION } from './augment.ts';
import type { CnnWeights } from './cnn.ts';
import { evaluateCnn } from './image-metrics.ts';
import { initHead } from './projection-head.ts';
import { createSelfSupervisedTerm } from './self-supervised-term.ts';
import { syntheticShapes } from './synthetic-shapes.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const validation = syntheticShapes({ perClass: 8, seed: 2 });

const mapAtR = (weights: CnnWeights) =>
  evaluateCnn(weights, validation, TINY_NORMALIZATION, 0).overall.mean_average_precision_at_r;

describe('CNN trainer', () => {
  it('learns: held-out retrieval improves well beyond the untrained CNN within a few epochs', async () => {
    const { weights, model } = tinyCnnTrainer();
    const before = mapAtR(weights);
    for (let step = 0; step < 16; step++) expect((await model.step(step)).finite).toBe(true);
    expect(mapAtR(weights)).toBeGreaterThan(before + 0.2);
    model.dispose();
  });

  it('resumes exactly: restoring a snapshot into a fresh trainer repeats the same steps', async () => {
    const first = tinyCnnTrainer();
    for (let step = 0; step < 3; step++) await first.model.step(step);
    const { arrays, extra } = first.model.snapshot();
    const saved = Object.fromEntries(Object.entries(arrays).map(([name, values]) => [name, values.slice()]));
    for (let step = 3; step < 5; step++) await first.model.step(step);

    const second = tinyCnnTrainer();
    second.model.restore(saved, extra);
    for (let step = 3; step < 5; step++) await second.model.step(step);
    for (const [name, values] of Object.entries(first.weights.params)) {
      expect(Array.from(second.weights.params[name]), name).toEqual(Array.from(values));
    }
    first.model.dispose();
    second.model.dispose();
  });

  it('holds no tensor beyond its variables: steps, restores and dispose leave nothing behind', async () => {
    const before = tf.memory().numTensors;
    const loss = createLoss({ name: 'multi_similarity' });
    const { model } = tinyCnnTrainer({ loss });
    await model.step(0);
    const afterOneStep = tf.memory().numTensors;
    for (let step = 1; step < 4; step++) await model.step(step);
    const { arrays, extra } = model.snapshot();
    model.restore(arrays, extra);
    expect(tf.memory().numTensors).toBe(afterOneStep);
    model.dispose();
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('updates batch-norm running statistics from the batches (they start at mean 0, variance 1)', async () => {
    const { weights, model } = tinyCnnTrainer();
    await model.step(0);
    expect(weights.params['bn0.mean'].some((v) => v !== 0)).toBe(true);
    expect(weights.params['bn0.variance'].some((v) => v !== 1)).toBe(true);
    model.dispose();
  });

  it('trains a projection head that the embedding does not include', async () => {
    const config = { hidden: 12, output: 6 };
    const params = initHead(16, config, 9);
    const before = params['head.kernel0'].slice();
    const { weights, model } = tinyCnnTrainer({ head: { config, params } });
    await model.step(0);
    expect(params['head.kernel0']).not.toEqual(before);
    expect(Object.keys(weights.params).some((name) => name.startsWith('head.'))).toBe(false);
    expect(Object.keys(model.snapshot().arrays)).toEqual(
      expect.arrayContaining(['head.kernel0', 'head.bias1']),
    );
    model.dispose();
  });

  it("moves the loss's own parameters (proxies) at the multiplied learning rate", async () => {
    // Adam's first step moves every parameter with a non-zero gradient by exactly the learning rate.
    const lossConfig = { name: 'proxy_anchor', num_classes: 6, embedding_size: 16 } as LossConfigInput;
    const { model } = tinyCnnTrainer({ lossConfig, lossLearningRateMultiplier: 10 });
    const before = model.snapshot().arrays['loss.proxies'].slice();
    await model.step(0);
    const after = model.snapshot().arrays['loss.proxies'];
    const moved = after.map((v, i) => Math.abs(v - before[i])).filter((d) => d > 0);
    expect(moved.length).toBeGreaterThan(0);
    for (const distance of moved) expect(distance).toBeCloseTo(0.1, 4);
    model.dispose();
  });

  it('scales every update by the learning-rate decay: linear over 2 steps halves the second step', async () => {
    // Both trainers take the same first step (factor 1), so their second gradients and Adam moments match.
    const steady = tinyCnnTrainer();
    const decayed = tinyCnnTrainer({ learningRateDecay: { decay: 'linear', totalSteps: 2 } });
    await steady.model.step(0);
    await decayed.model.step(0);
    const start = structuredClone(steady.weights.params);
    expect(decayed.weights.params).toEqual(start);
    await steady.model.step(1);
    await decayed.model.step(1);
    for (const name of ['conv0.kernel', 'conv1.kernel', 'bn1.gamma']) {
      const full = steady.weights.params[name].map((v, i) => v - start[name][i]);
      const half = decayed.weights.params[name].map((v, i) => v - start[name][i]);
      expect(
        full.some((d) => Math.abs(d) > 1e-3),
        name,
      ).toBe(true);
      half.forEach((d, i) => {
        expect(d, name).toBeCloseTo(full[i] / 2, 6);
      });
    }
    steady.model.dispose();
    decayed.model.dispose();
  });

  it('adds the self-supervised term to the supervised loss on two views, in proportion to its weight', async () => {
    // Step 0 sees the same initial weights, batch and views in each trainer: only the term differs.
    const firstLoss = async (weight?: number) => {
      const selfSupervised = weight ? createSelfSupervisedTerm({ weight, temperature: 0.1 }) : undefined;
      const { model } = tinyCnnTrainer({ views: 2, selfSupervised });
      const { loss } = await model.step(0);
      model.dispose();
      selfSupervised?.dispose();
      return loss;
    };
    const supervised = await firstLoss();
    const once = (await firstLoss(1)) - supervised;
    const twice = (await firstLoss(2)) - supervised;
    expect(once).toBeGreaterThan(0.5);
    expect(twice).toBeCloseTo(2 * once, 3);
    expect(() =>
      tinyCnnTrainer({ selfSupervised: createSelfSupervisedTerm({ weight: 1, temperature: 0.1 }) }),
    ).toThrow(/needs two views/);
  });

  it('trains on two unlabelled views with the self_supervised (SimCLR) loss', async () => {
    const { model } = tinyCnnTrainer({
      views: 2,
      lossConfig: { name: 'self_supervised' },
      augment: { ...NO_AUGMENTATION, shift: 2, noise: 0.05 },
    });
    const losses: number[] = [];
    for (let step = 0; step < 10; step++) losses.push((await model.step(step)).loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.slice(-3).reduce((a, b) => a + b) / 3).toBeLessThan(losses[0]);
    model.dispose();
  });
});
