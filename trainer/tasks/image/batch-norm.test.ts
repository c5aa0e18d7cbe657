import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend/index.ts';
import { BATCH_NORM_TRAINING } from '../../backend/wasm-batch-norm.ts';
import { batchNormTraining } from './batch-norm.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** The textbook composition, differentiated by tfjs itself: the reference for our closed-form gradient. */
function reference(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return x.sub(mean).div(variance.add(epsilon).sqrt()).mul(gamma).add(beta) as tf.Tensor4D;
}

describe('batchNormTraining', () => {
  it('gives the values and the gradients (x, gamma, beta) of the textbook batch normalisation', () => {
    const x = tf.randomNormal([4, 3, 5, 6], 1.5, 2, 'float32', 1) as tf.Tensor4D;
    const gamma = tf.randomNormal([6], 1, 0.3, 'float32', 2) as tf.Tensor1D;
    const beta = tf.randomNormal([6], 0, 0.3, 'float32', 3) as tf.Tensor1D;
    const weights = tf.randomNormal([4, 3, 5, 6], 0, 1, 'float32', 4);
    const stats: tf.Tensor[] = [];
    const ours = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      batchNormTraining(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5, (mean, variance) =>
        stats.push(tf.keep(mean.clone()), tf.keep(variance.clone())),
      )
        .mul(weights)
        .sum();
    const theirs = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      reference(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5)
        .mul(weights)
        .sum();
    const got = tf.valueAndGrads(ours)([x, gamma, beta]);
    const want = tf.valueAndGrads(theirs)([x, gamma, beta]);
    expect(got.value.dataSync()[0]).toBeCloseTo(want.value.dataSync()[0], 3);
    got.grads.forEach((g, i) => {
      const diff = tf.max(tf.abs(g.sub(want.grads[i]))).dataSync()[0];
      expect(diff).toBeLessThan(1e-4);
    });
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    expect(tf.max(tf.abs(stats[0].sub(mean))).dataSync()[0]).toBeLessThan(1e-5);
    expect(tf.max(tf.abs(stats[1].sub(variance))).dataSync()[0]).toBeLessThan(1e-4);
  });

  it.each([
    { name: 'odd sides', shape: [3, 5, 7, 3], activation: 'none' },
    { name: 'two rows', shape: [2, 1, 1, 5], activation: 'none' },
    { name: 'one channel', shape: [4, 6, 2, 1], activation: 'none' },
    { name: 'odd sides, ReLU', shape: [3, 5, 7, 3], activation: 'relu' },
    { name: '8 channels, ReLU', shape: [2, 9, 5, 8], activation: 'relu' },
  ] as const)(
    'gives on wasm (fused kernels) what the tfjs ops give on the cpu backend ($name)',
    async ({ shape, activation }) => {
      expect(tf.getKernel(BATCH_NORM_TRAINING, 'wasm')).toBeDefined();
      const size = shape.reduce((a: number, b: number) => a * b, 1);
      const channels = shape[3];
      const x = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 1.7) * 3 + (i % channels) + 1);
      const gamma = Float32Array.from({ length: channels }, (_, c) => 0.5 + c / 4);
      const beta = Float32Array.from({ length: channels }, (_, c) => c / 3 - 0.2);
      const weights = Float32Array.from({ length: size }, (_, i) => Math.cos(i * 0.9));
      const run = () =>
        tf.tidy(() => {
          const stats: tf.Tensor[] = [];
          const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
            batchNormTraining(
              a as tf.Tensor4D,
              g as tf.Tensor1D,
              b as tf.Tensor1D,
              1e-5,
              (mean, variance) => stats.push(tf.keep(mean), tf.keep(variance)),
              activation,
            )
              .mul(tf.tensor(weights, [...shape]))
              .sum();
          const { value, grads } = tf.valueAndGrads(f)([
            tf.tensor4d(x, [...shape]),
            tf.tensor1d(gamma),
            tf.tensor1d(beta),
          ]);
          return [value, ...grads, ...stats].map((t) => t.dataSync() as Float32Array);
        });
      const wasm = run();
      await tf.setBackend('cpu');
      try {
        const cpu = run();
        // float64 sums against float32 ops: agreement to float32 rounding on the values' scale.
        wasm.forEach((values, i) => {
          const scale = Math.max(1, ...cpu[i].map(Math.abs));
          values.forEach((v, j) => expect(Math.abs(v - cpu[i][j])).toBeLessThan(1e-4 * scale));
        });
      } finally {
        await tf.setBackend('wasm');
      }
    },
  );
});
