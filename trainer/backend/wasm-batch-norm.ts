import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backendMemory, pointerOf, trainingKernels } from './train-kernel/instantiate.ts';

/**
 * Training-mode batch normalisation over every axis but the last (channels), as two tfjs kernels whose
 * passes run in WebAssembly SIMD (train-kernel/assembly/training.ts) on the tensors where they lie in
 * the backend's memory: the forward pass reads x three times (mean, variance, output), the gradient
 * twice (sums, output). Composed from tfjs ops the same work is about ten full-size kernels, each
 * allocating its output. The gradient is Ioffe & Szegedy's closed form (see batch-norm.ts).
 */
export const BATCH_NORM_TRAINING = 'DmlBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'DmlBatchNormTrainingGrad';

interface Layout {
  channels: number;
  rows: number;
}

function layout(x: tf.TensorInfo): Layout {
  const channels = x.shape[x.shape.length - 1];
  return { channels, rows: tf.util.sizeFromShape(x.shape) / channels };
}

/** Pointers (byte offsets) into the backend's memory and per-channel views, for one kernel call. */
function session(backend: BackendWasm, channels: number) {
  const kernel = trainingKernels(backend);
  const memory = () => backendMemory(backend).buffer;
  // Scratch: two float64 totals, two float32 blocks and five float32 parameter rows per channel, plus
  // slack to align the totals to 8 bytes.
  const scratch = backend.makeOutput([11 * channels + 2], 'float32');
  const base = pointerOf(backend, scratch);
  const at = base + (base % 8);
  const pointers = {
    totalsA: at,
    totalsB: at + 8 * channels,
    blockA: at + 16 * channels,
    blockB: at + 20 * channels,
    paramA: at + 24 * channels,
    paramB: at + 28 * channels,
    paramC: at + 32 * channels,
    paramD: at + 36 * channels,
    paramE: at + 40 * channels,
  };
  return {
    kernel,
    ...pointers,
    pointer: (info: tf.TensorInfo) => pointerOf(backend, info),
    // Views are made when read: allocating a tensor may grow the memory and detach older ones.
    f64: (offset: number) => new Float64Array(memory(), offset, channels),
    f32: (offset: number) => new Float32Array(memory(), offset, channels),
    dispose: () => backend.disposeData(scratch.dataId),
  };
}

/**
 * The forward pass's y = x a + b per channel, from the batch statistics as stored (float32), so that the
 * gradient recomputes the same a and b, and with them the same ReLU mask.
 */
function scaleAndShift(
  mean: Float32Array,
  variance: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  epsilon: number,
) {
  const a = variance.map((v, c) => gamma[c] / Math.sqrt(v + epsilon));
  return { a, b: mean.map((m, c) => beta[c] - m * a[c]) };
}

interface BatchNormAttrs {
  epsilon: number;
  /** A ReLU follows the normalisation: y = max(0, x̂ gamma + beta), and its gradient is folded in. */
  relu: boolean;
}

/**
 * Inputs x, scale (gamma), offset (beta); attrs epsilon, relu. Outputs y, and the batch's mean and
 * (biased) variance.
 */
const batchNormTraining: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAINING,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { x, scale, offset } = inputs as Record<'x' | 'scale' | 'offset', tf.TensorInfo>;
    const { epsilon, relu } = attrs as unknown as BatchNormAttrs;
    const { channels, rows } = layout(x);
    const y = wasm.makeOutput(x.shape, 'float32');
    const meanOut = wasm.makeOutput([channels], 'float32');
    const varianceOut = wasm.makeOutput([channels], 'float32');
    const s = session(wasm, channels);
    try {
      const xAt = s.pointer(x);
      s.f64(s.totalsA).fill(0);
      s.f64(s.totalsB).fill(0);
      s.kernel.sumRows(xAt, rows, channels, s.blockA, s.totalsA);
      const mean = Float32Array.from(s.f64(s.totalsA), (total) => total / rows);
      s.f32(s.paramA).set(mean);
      s.kernel.sumSquaredDeviations(xAt, rows, channels, s.paramA, s.blockA, s.totalsB);
      const variance = Float32Array.from(s.f64(s.totalsB), (total) => total / rows);
      const gamma = wasm.typedArrayFromHeap(scale) as Float32Array;
      const beta = wasm.typedArrayFromHeap(offset) as Float32Array;
      const { a, b } = scaleAndShift(mean, variance, gamma, beta, epsilon);
      s.f32(s.paramB).set(a);
      s.f32(s.paramC).set(b);
      s.kernel.scaleShift(xAt, rows, channels, s.paramB, s.paramC, relu, s.pointer(y));
      (wasm.typedArrayFromHeap(meanOut) as Float32Array).set(mean);
      (wasm.typedArrayFromHeap(varianceOut) as Float32Array).set(variance);
    } finally {
      s.dispose();
    }
    return [y, meanOut, varianceOut];
  },
};

/**
 * Inputs dy, x, mean, variance, scale, offset; attrs epsilon, relu. Outputs dx, dscale, doffset:
 *   dx = gamma / sqrt(var + eps) * (dy - mean(dy) - x̂ mean(dy x̂)),  dgamma = Σ dy x̂,  dbeta = Σ dy,
 * where with relu dy is taken as 0 wherever the forward output was not above 0.
 */
const batchNormTrainingGrad: tf.KernelConfig = {
  kernelName: BATCH_NORM_TRAINING_GRAD,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { dy, x, mean, variance, scale, offset } = inputs as Record<
      'dy' | 'x' | 'mean' | 'variance' | 'scale' | 'offset',
      tf.TensorInfo
    >;
    const { epsilon, relu } = attrs as unknown as BatchNormAttrs;
    const { channels, rows } = layout(x);
    const dx = wasm.makeOutput(x.shape, 'float32');
    const dScale = wasm.makeOutput([channels], 'float32');
    const dOffset = wasm.makeOutput([channels], 'float32');
    const s = session(wasm, channels);
    try {
      const [dyAt, xAt, meanAt] = [s.pointer(dy), s.pointer(x), s.pointer(mean)];
      s.f64(s.totalsA).fill(0);
      s.f64(s.totalsB).fill(0);
      const sigma2 = wasm.typedArrayFromHeap(variance) as Float32Array;
      const mu = wasm.typedArrayFromHeap(mean) as Float32Array;
      const gamma = wasm.typedArrayFromHeap(scale) as Float32Array;
      const beta = wasm.typedArrayFromHeap(offset) as Float32Array;
      const { a, b } = scaleAndShift(mu, sigma2, gamma, beta, epsilon);
      s.f32(s.paramD).set(a);
      s.f32(s.paramE).set(b);
      const { blockA, blockB, totalsA, totalsB, paramD, paramE } = s;
      s.kernel.gradientSums(
        dyAt,
        xAt,
        rows,
        channels,
        meanAt,
        paramD,
        paramE,
        relu,
        blockA,
        blockB,
        totalsA,
        totalsB,
      );
      const sumDy = s.f64(s.totalsA);
      const invStd = Float64Array.from(sigma2, (v) => 1 / Math.sqrt(v + epsilon));
      // Σ dy (x - mean) times invStd is Σ dy x̂.
      const sumDyXHat = s.f64(s.totalsB).map((total, c) => total * invStd[c]);
      // dx = k1 dy + k2 x + k3 per channel, the closed form above expanded.
      const k1 = gamma.map((g, c) => g * invStd[c]);
      const k2 = k1.map((k, c) => (-k * invStd[c] * sumDyXHat[c]) / rows);
      const k3 = k1.map((k, c) => (-k * sumDy[c]) / rows - k2[c] * mu[c]);
      s.f32(s.paramA).set(k1);
      s.f32(s.paramB).set(k2);
      s.f32(s.paramC).set(k3);
      const dxAt = s.pointer(dx);
      s.kernel.gradientOutput(
        dyAt,
        xAt,
        rows,
        channels,
        paramD,
        paramE,
        relu,
        s.paramA,
        s.paramB,
        s.paramC,
        dxAt,
      );
      (wasm.typedArrayFromHeap(dScale) as Float32Array).set(sumDyXHat);
      (wasm.typedArrayFromHeap(dOffset) as Float32Array).set(sumDy);
    } finally {
      s.dispose();
    }
    return [dx, dScale, dOffset];
  },
};

export const WASM_BATCH_NORM_KERNELS: readonly tf.KernelConfig[] = [batchNormTraining, batchNormTrainingGrad];
