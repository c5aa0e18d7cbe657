import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../shared/random.ts';
import { initBackend } from './index.ts';
import { DISPLACED_STOCK_KERNELS, stockWasmKernels, WASM_TRAINING_KERNELS } from './wasm-kernels.ts';

/**
 * Every kernel of wasm-kernels.ts against tfjs' pure-JS cpu backend (its reference implementations),
 * on the same random inputs: the wasm backend with our kernels must give the same values and gradients.
 */
beforeAll(async () => {
  await initBackend('wasm');
});

function randomValues(size: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: size }, () => random() * 2 - 1);
}

/** Runs `compute` on wasm and on cpu and returns both results as flat arrays. */
async function onBothBackends(
  compute: () => tf.Tensor[],
): Promise<{ wasm: Float32Array[]; cpu: Float32Array[] }> {
  const run = () =>
    tf.tidy(compute).map((t) => {
      const values = t.dataSync() as Float32Array;
      t.dispose();
      return values;
    });
  const wasm = run();
  await tf.setBackend('cpu');
  try {
    return { wasm, cpu: run() };
  } finally {
    await tf.setBackend('wasm');
  }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i])), 0);
}

/** The largest difference relative to the largest magnitude: sums of many terms differ in their last bits. */
function relativeDiff(a: Float32Array, b: Float32Array): number {
  const scale = b.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
  return maxAbsDiff(a, b) / Math.max(scale, 1e-12);
}

describe('wasm training kernels', () => {
  it('replace the stock kernels they improve, keeping those as fallbacks', () => {
    for (const kernel of WASM_TRAINING_KERNELS) expect(tf.getKernel(kernel.kernelName, 'wasm')).toBe(kernel);
    const stock = stockWasmKernels(DISPLACED_STOCK_KERNELS);
    for (const kernel of stock) expect(WASM_TRAINING_KERNELS).not.toContain(kernel);
  });

  it('clone by sharing the data, which lives until the last tensor on it is disposed', async () => {
    const before = tf.memory();
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const copy = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers + 1);
    x.dispose();
    expect(await copy.data()).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
    const grads = tf.grads((a: tf.Tensor) => tf.relu(a).square().sum())([copy]);
    expect(await grads[0].data()).toEqual(new Float32Array([2, 4, 6, 8, 10, 12]));
    copy.dispose();
    grads[0].dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers);
  });

  it.each([
    { name: '3x3 same, stride 1', x: [3, 9, 7, 2], filter: [3, 3, 2, 4], stride: 1, pad: 'same' },
    { name: '5x5 valid, stride 1', x: [2, 8, 8, 3], filter: [5, 5, 3, 2], stride: 1, pad: 'valid' },
    {
      name: '3x3 same, stride 2 (stock input gradient)',
      x: [2, 9, 9, 2],
      filter: [3, 3, 2, 3],
      stride: 2,
      pad: 'same',
    },
    {
      // 2.3M patch values: the filter gradient runs in blocks of images, each with its copy of dy.
      name: 'a batch the filter gradient splits into blocks',
      x: [40, 20, 20, 16],
      filter: [3, 3, 16, 4],
      stride: 1,
      pad: 'same',
    },
    {
      // The filter gradient's patch copy takes channels four at a time, then the rest one at a time.
      name: 'six channels, 5x5 same, stride 2, odd sides',
      x: [3, 11, 13, 6],
      filter: [5, 5, 6, 3],
      stride: 2,
      pad: 'same',
    },
    {
      name: 'one input channel, many images',
      x: [40, 6, 6, 1],
      filter: [3, 3, 1, 5],
      stride: 1,
      pad: 'same',
    },
  ] as const)('give the conv2d and max-pool gradients of the cpu backend ($name)', async (c) => {
    const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
    const xValues = randomValues(size(c.x), 1);
    const filterValues = randomValues(size(c.filter), 2);
    const { wasm, cpu } = await onBothBackends(() => {
      const x = tf.tensor4d(xValues, [...c.x]);
      const filter = tf.tensor4d(filterValues, [...c.filter]);
      const f = (input: tf.Tensor, kernel: tf.Tensor) =>
        tf
          .maxPool(
            tf.relu(tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, c.stride, c.pad)),
            2,
            2,
            'same',
          )
          .square()
          .sum();
      return tf.grads(f)([x, filter]);
    });
    expect(relativeDiff(wasm[0], cpu[0])).toBeLessThan(1e-5);
    expect(relativeDiff(wasm[1], cpu[1])).toBeLessThan(1e-5);
  });

  it.each([
    { name: 'even sides', x: [3, 8, 6, 5] },
    { name: 'odd sides (the last row and column are dropped)', x: [2, 9, 7, 3] },
    { name: 'channels a multiple of 4 (the SIMD kernel)', x: [3, 8, 6, 8] },
    { name: 'odd sides, 4 channels (the SIMD kernel)', x: [2, 9, 7, 4] },
  ])('give the max-pool gradient of the cpu backend for 2x2 windows, stride 2, valid ($name)', async (c) => {
    // Rounded values and the ReLU's zeros: windows with tied maxima, where the first one must win.
    const values = randomValues(
      c.x.reduce((a, b) => a * b, 1),
      7,
    ).map((v) => Math.round(v * 4) / 4);
    const { wasm, cpu } = await onBothBackends(() => {
      const pooled = (input: tf.Tensor) =>
        tf
          .maxPool(tf.relu(input) as tf.Tensor4D, 2, 2, 'valid')
          .mul(
            tf
              .range(1, 1 + Math.floor(c.x[1] / 2) * Math.floor(c.x[2] / 2) * c.x[0] * c.x[3])
              .reshape([c.x[0], Math.floor(c.x[1] / 2), Math.floor(c.x[2] / 2), c.x[3]]),
          )
          .sum();
      return [tf.grad(pooled)(tf.tensor4d(values, c.x as [number, number, number, number]))];
    });
    expect(maxAbsDiff(wasm[0], cpu[0])).toBe(0);
  });

  it.each([
    { name: 'rows of a matrix', x: [6, 4], indices: [5, 0, 0, 3], indexShape: [4], axis: 0 },
    { name: 'columns, 2-D indices', x: [3, 7], indices: [6, 1, 2, 2, 0, 5], indexShape: [2, 3], axis: 1 },
    { name: 'a middle axis', x: [2, 5, 3], indices: [4, 0, 4], indexShape: [3], axis: 1 },
    { name: 'entries of a flat matrix', x: [30], indices: [29, 0, 7, 7, 12], indexShape: [5], axis: 0 },
  ])('gather as the cpu backend does ($name)', async (c) => {
    const values = randomValues(
      c.x.reduce((a, b) => a * b, 1),
      8,
    );
    const { wasm, cpu } = await onBothBackends(() => {
      const x = tf.tensor(values, c.x);
      const indices = tf.tensor(c.indices, c.indexShape, 'int32');
      // The gradient goes through UnsortedSegmentSum: repeated indices add up.
      const [grad] = tf.grads((input: tf.Tensor) => tf.gather(input, indices, c.axis).square().sum())([x]);
      return [tf.gather(x, indices, c.axis), tf.gather(x.toInt(), indices, c.axis).toFloat(), grad];
    });
    for (let i = 0; i < 3; i++) expect(maxAbsDiff(wasm[i], cpu[i])).toBe(0);
  });

  it('refuses out-of-range gather indices as the stock kernel does', () => {
    expect(() => tf.gather(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([2], 'int32'))).toThrow(
      'GatherV2: the index value 2 is not in [0, 1]',
    );
  });

  // [batch, m, k] @ [batch, k, n]: the transposed operands are transposed in 4x4 tiles plus edges.
  it.each([
    [false, false, 2, 5, 7, 4],
    [true, false, 2, 5, 7, 4],
    [false, true, 2, 5, 7, 4],
    [true, true, 2, 5, 7, 4],
    [true, true, 3, 13, 18, 9],
  ])(
    'multiply matrices as the cpu backend does (transposeA %s, transposeB %s, %i x %i x %i x %i)',
    async (transposeA, transposeB, batch, m, k, n) => {
      const a = randomValues(batch * m * k, 3);
      const b = randomValues(batch * k * n, 4);
      const { wasm, cpu } = await onBothBackends(() => {
        const left = tf.tensor3d(a, transposeA ? [batch, k, m] : [batch, m, k]);
        const right = tf.tensor3d(b, transposeB ? [batch, n, k] : [batch, k, n]);
        return [tf.matMul(left, right, transposeA, transposeB)];
      });
      expect(maxAbsDiff(wasm[0], cpu[0])).toBeLessThan(1e-5);
    },
  );

  it.each([
    { axis: [0], keepDims: false },
    { axis: [0, 1], keepDims: true },
    { axis: [1], keepDims: false },
    { axis: [0, 1, 2], keepDims: false },
  ])('sum as the cpu backend does (axis $axis, keepDims $keepDims)', async ({ axis, keepDims }) => {
    // 19 x 3 leading rows: the eight-row passes and the remainder rows both run.
    const values = randomValues(19 * 3 * 5, 5);
    const { wasm, cpu } = await onBothBackends(() => [tf.tensor3d(values, [19, 3, 5]).sum(axis, keepDims)]);
    expect(maxAbsDiff(wasm[0], cpu[0])).toBeLessThan(1e-5);
  });

  it('segment-sums rows as the cpu backend does, dropping out-of-range ids', async () => {
    const values = randomValues(6 * 3, 6);
    const { wasm, cpu } = await onBothBackends(() => [
      tf.unsortedSegmentSum(tf.tensor2d(values, [6, 3]), tf.tensor1d([2, 0, 2, 9, 1, 0], 'int32'), 4),
    ]);
    expect(maxAbsDiff(wasm[0], cpu[0])).toBe(0);
  });

  it('leave no tensors behind', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomNormal([2, 6, 6, 3]) as tf.Tensor4D;
      const filter = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
      return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), 2, 2, 'valid').sum(),
      )([x, filter]);
    }).forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});
