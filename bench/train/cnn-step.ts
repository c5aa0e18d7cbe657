import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../shared/random.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import { WASM_BATCH_NORM_KERNELS } from '../../trainer/backend/wasm-batch-norm.ts';
import {
  installWasmKernels,
  removeWasmKernels,
  WASM_TRAINING_KERNELS,
} from '../../trainer/backend/wasm-kernels.ts';
import { createLoss, createSampler } from '../../trainer/metric/index.ts';
import { GreyAugmentConfigSchema } from '../../trainer/tasks/image/augment.ts';
import { type CnnShape, CnnShapeSchema, initCnn } from '../../trainer/tasks/image/cnn.ts';
import { createCnnTrainer } from '../../trainer/tasks/image/cnn-trainer.ts';
import { imageSet } from '../../trainer/tasks/image/image-set.ts';
import { AdamConfigSchema } from '../../trainer/train/adam.ts';
import { baselineWasmKernels } from './baseline-kernels.ts';

/**
 * What runs the CNN's kernels: wasm with ours, wasm with the stock ones plus the prototype filter
 * gradient we started from, or webgpu with tfjs-backend-webgpu's shaders (any adapter, software too).
 */
export const CNN_KERNELS = ['ours', 'baseline', 'webgpu'] as const;
export type CnnKernels = (typeof CNN_KERNELS)[number];

/** Classes of the benchmark's random images: a batch holds batchSize / 8 images of each. */
export const BENCHMARK_CLASSES = 8;

export interface CnnStepBenchmarkOptions {
  kernels: CnnKernels;
  batchSize?: number;
  /** Timed steps, after `warmupSteps` untimed ones. */
  steps?: number;
  /** Untimed steps first (default 3): the first steps grow the wasm heap and warm the JIT. */
  warmupSteps?: number;
  /** Steps run under tf.profile after the timed ones (default 0): where a step's time goes. */
  profileSteps?: number;
  shape?: Partial<CnnShape>;
}

export interface CnnStepBenchmark {
  kernels: CnnKernels;
  batchSize: number;
  shape: CnnShape;
  /** Median wall time of one training step (forward, backward, Adam), and each step's time. */
  medianMs: number;
  stepMs: number[];
  samplesPerSecond: number;
  /** Each profiled step's kernels: name and milliseconds. */
  profiles: { name: string; ms: number }[][];
}

/**
 * Times full training steps (forward, backward, Adam) of the CNN on wasm or webgpu, with a
 * multi-similarity loss on random 28x28 images. The default shape is CnnShapeSchema's (conv 32, pool,
 * conv 64, pool, dense 128, batch norm): the small CNN of the trainer-backends notes, whose step took
 * 715 ms with the kernels we started from. The kernel set is process-wide: this switches it for the
 * measurement and restores ours afterwards, so do not run it beside training in the same process.
 */
export async function benchmarkCnnStep(options: CnnStepBenchmarkOptions): Promise<CnnStepBenchmark> {
  const onWasm = options.kernels !== 'webgpu';
  await initBackend(onWasm ? 'wasm' : 'webgpu');
  const batchSize = options.batchSize ?? 128;
  const steps = options.steps ?? 5;
  const shape = CnnShapeSchema.parse(options.shape ?? {});
  const classes = BENCHMARK_CLASSES;
  const count = batchSize * 2;
  const random = mulberry32(7);
  const images = imageSet({
    pixels: Uint8Array.from({ length: count * shape.height * shape.width }, () => Math.floor(random() * 256)),
    labels: Int32Array.from({ length: count }, (_, i) => i % classes),
    height: shape.height,
    width: shape.width,
    classNames: Array.from({ length: classes }, (_, i) => `class ${i}`),
  });
  if (onWasm) installWasmKernels(options.kernels === 'ours' ? WASM_TRAINING_KERNELS : baselineWasmKernels());
  // Batch normalisation then ran as tfjs ops.
  if (options.kernels === 'baseline') removeWasmKernels(WASM_BATCH_NORM_KERNELS);
  const trainer = createCnnTrainer({
    weights: initCnn(shape, 1),
    images,
    normalization: { mean: 0.5, std: 0.25 },
    sampler: createSampler(
      { name: 'm_per_class', m: batchSize / classes, batch_size: batchSize, length: count },
      images.labels,
    ),
    loss: createLoss({ name: 'multi_similarity' }),
    views: 1,
    adam: AdamConfigSchema.parse({}),
    weightDecay: 0,
    lossLearningRateMultiplier: 1,
    augment: GreyAugmentConfigSchema.parse({}),
    seed: 1,
    validate: async () => ({}),
  });
  try {
    const warmup = options.warmupSteps ?? 3;
    for (let step = 0; step < warmup; step++) await trainer.step(step);
    const stepMs: number[] = [];
    for (let step = warmup; step < warmup + steps; step++) {
      const started = performance.now();
      await trainer.step(step);
      stepMs.push(performance.now() - started);
    }
    const profiles: { name: string; ms: number }[][] = [];
    for (let step = warmup + steps; step < warmup + steps + (options.profileSteps ?? 0); step++) {
      const profile = await tf.profile(async () => {
        await trainer.step(step);
      });
      profiles.push(
        profile.kernels.flatMap((k) =>
          typeof k.kernelTimeMs === 'number' ? [{ name: k.name, ms: k.kernelTimeMs }] : [],
        ),
      );
    }
    const medianMs = [...stepMs].sort((a, b) => a - b)[Math.floor(stepMs.length / 2)];
    return {
      kernels: options.kernels,
      batchSize,
      shape,
      medianMs,
      stepMs,
      samplesPerSecond: (batchSize * 1000) / medianMs,
      profiles,
    };
  } finally {
    trainer.dispose();
    if (onWasm) installWasmKernels(WASM_TRAINING_KERNELS);
  }
}
