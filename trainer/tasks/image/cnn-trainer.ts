import * as tf from '@tensorflow/tfjs';
import { normalizePixels } from '../../../shared/image/model-input.ts';
import { deriveSeed } from '../../../shared/random.ts';
import { onHostBackend } from '../../backend/host-backend.ts';
import { l2NormalizeRows } from '../../encoder/text-encoder.ts';
import {
  type ComputeOptions,
  createRandom,
  type MetricLoss,
  type Miner,
  type Sampler,
} from '../../metric/index.ts';
import { type AdamConfig, adamCheckpoint, applyDense, beginStep, createAdamState } from '../../train/adam.ts';
import { type LearningRateDecay, learningRateFactor } from '../../train/learning-rate-decay.ts';
import type { LoopModel } from '../../train/loop.ts';
import { readAndDispose } from '../../train/read-back.ts';
import type { StepResult } from '../../train/step-result.ts';
import { augmentImages, type GreyAugmentConfig } from './augment.ts';
import { type CnnWeights, cnnFeatures, cnnParamSpecs } from './cnn.ts';
import type { ImageSet } from './image-set.ts';
import { headForward, headParamDims, type ProjectionHeadConfig } from './projection-head.ts';
import type { SelfSupervisedTerm } from './self-supervised-term.ts';

/** PyTorch's BatchNorm2d momentum: running = 0.9 running + 0.1 batch (unbiased batch variance). */
const BATCH_NORM_MOMENTUM = 0.1;

export interface CnnTrainerOptions {
  weights: CnnWeights;
  /** A training-only projection head (see projection-head.ts): the loss sees its output. */
  head?: { config: ProjectionHeadConfig; params: Record<string, Float32Array> };
  images: ImageSet;
  normalization: { mean: number; std: number };
  sampler: Sampler;
  loss: MetricLoss;
  miner?: Miner;
  /**
   * 1: one augmented view per image. 2: two independent views per image, both in the batch with the
   * image's label (SupCon's multi-view batch); the self_supervised loss gets them as embeddings and
   * refEmbeddings instead (SimCLR), ignoring labels.
   */
  views: 1 | 2;
  /** With 2 views: an instance-discrimination term added to the loss (see self-supervised-term.ts). */
  selfSupervised?: SelfSupervisedTerm;
  adam: AdamConfig;
  /** Every learning rate (and so the weight decay) falls by this schedule over `totalSteps` steps. */
  learningRateDecay?: { decay: LearningRateDecay; totalSteps: number };
  /** Decoupled weight decay (AdamW, Loshchilov & Hutter 2019) on convolution and dense kernels. */
  weightDecay: number;
  /** The loss's own parameters (proxies, class weights) learn at this multiple of the learning rate. */
  lossLearningRateMultiplier: number;
  augment: GreyAugmentConfig;
  seed: number;
  validate: (weights: CnnWeights) => Promise<Record<string, number>>;
}

interface Trainable {
  values: Float32Array;
  variable: tf.Variable;
  adam: AdamConfig;
  decay: boolean;
}

/**
 * The CNN trained with a metric loss on sampler batches, as a LoopModel. tfjs computes the gradients
 * (tf.variableGrads over the CNN's, the head's and the loss's variables); parameters, Adam moments and
 * batch-norm running statistics live in Float32Arrays, like the text model's, so a checkpoint is a plain
 * snapshot. Batch i of epoch e and its augmentation are pure functions of (seed, e, i): a resumed run
 * sees the same batches.
 */
export function createCnnTrainer(options: CnnTrainerOptions): LoopModel & { dispose(): void } {
  const { weights, images, sampler, loss } = options;
  if (options.selfSupervised && options.views !== 2)
    throw new Error('the self-supervised term needs two views of each image');
  const { shape, params } = weights;
  const specs = cnnParamSpecs(shape);
  const head = options.head?.params ?? {};
  const lossValues: Record<string, Float32Array> = {};
  const lossAdam = {
    ...options.adam,
    learningRate: options.adam.learningRate * options.lossLearningRateMultiplier,
  };
  // Host arrays are the truth (checkpointed, updated by Adam); the variables mirror them for autodiff.
  const trainables: Record<string, Trainable> = {};
  const mirror = (name: string, values: Float32Array, dims: number[]) => {
    trainables[name] = {
      values,
      // tidy: the variable keeps the initial values; the tensor that carried them must go.
      variable: tf.tidy(() => tf.variable(tf.tensor(values, dims))),
      adam: options.adam,
      decay: name.includes('kernel'),
    };
  };
  for (const { name, dims, trainable } of specs) if (trainable) mirror(name, params[name], dims);
  if (options.head) {
    const dims = headParamDims(shape.embeddingDim, options.head.config);
    for (const [name, values] of Object.entries(head)) mirror(name, values, dims[name]);
  }
  for (const [name, variable] of Object.entries(loss.parameters)) {
    const values = variable.dataSync().slice() as Float32Array;
    lossValues[`loss.${name}`] = values;
    trainables[`loss.${name}`] = { values, variable, adam: lossAdam, decay: false };
  }
  const adam = createAdamState(
    Object.fromEntries(Object.entries(trainables).map(([name, t]) => [name, t.values])),
  );
  // Batch-norm running statistics are in `params` too: saved and restored, though Adam never moves them.
  const checkpoint = adamCheckpoint({ ...params, ...head, ...lossValues }, adam);
  const tensorsOf = (prefix: string) =>
    Object.fromEntries(
      Object.entries(trainables)
        .filter(([n]) => n.startsWith(prefix))
        .map(([n, t]) => [n, t.variable]),
    );

  let cachedEpoch = 0;
  let batches = sampler.epoch(0);
  const perEpoch = batches.length;
  const batchOf = (stepIndex: number) => {
    const epoch = Math.floor(stepIndex / perEpoch);
    if (epoch !== cachedEpoch) {
      batches = sampler.epoch(epoch);
      cachedEpoch = epoch;
    }
    return batches[stepIndex % perEpoch];
  };

  /**
   * The miner's tuples for the loss. A miner reads the batch's distances back in the middle of the step,
   * which webgpu cannot do synchronously; there the batch is embedded once more without gradients, read
   * asynchronously and mined on wasm (same weights and batch, so the same tuples up to float rounding).
   */
  async function mineTuples(
    embed: (onStats: () => void) => tf.Tensor2D,
    labels: Int32Array,
  ): Promise<ComputeOptions> {
    const { miner } = options;
    if (!miner) return {};
    if (tf.getBackend() !== 'webgpu') return { miner };
    const [values] = await readAndDispose([tf.tidy(() => embed(() => undefined))]);
    const dim = values.length / labels.length;
    const indicesTuple = await onHostBackend(async () => {
      const embeddings = tf.tensor2d(values, [labels.length, dim]);
      try {
        return miner.mine(embeddings, labels);
      } finally {
        embeddings.dispose();
      }
    });
    return { indicesTuple };
  }

  async function step(stepIndex: number): Promise<StepResult> {
    const indices = batchOf(stepIndex);
    const random = createRandom(deriveSeed(options.seed, stepIndex));
    const views = Array.from({ length: options.views }, () => {
      const pixels = augmentImages(images, indices, options.augment, random);
      return normalizePixels(pixels, options.normalization, pixels);
    });
    const input = views.length === 1 ? views[0] : concatArrays(views);
    const rows = indices.length * options.views;
    const labels = Int32Array.from({ length: rows }, (_, i) => images.labels[indices[i % indices.length]]);
    // The batch's embeddings as the loss sees them; batch-norm statistics go to `onStats`.
    const embed = (onStats: (block: number, batch: { mean: tf.Tensor; variance: tf.Tensor }) => void) => {
      const fixed = Object.fromEntries(
        specs.filter((s) => !s.trainable).map(({ name, dims }) => [name, tf.tensor(params[name], dims)]),
      );
      const x = tf.tensor4d(input, [rows, shape.height, shape.width, 1]);
      const features = cnnFeatures(shape, { ...fixed, ...tensorsOf('') }, x, { training: true, onStats });
      return options.head ? headForward(tensorsOf('head.'), features) : l2NormalizeRows(features);
    };
    const tuples = await mineTuples(embed, labels);
    // Batch-norm batch statistics leave the tape as tensors and are read with the gradients afterwards.
    const statTensors: tf.Tensor[] = [];
    let reached: string[] = [];
    const outputs = tf.tidy(() => {
      const y = tf.tensor1d(labels, 'int32');
      const result = tf.variableGrads(
        () => {
          const z = embed((block, batch) => {
            statTensors[2 * block] = tf.keep(batch.mean);
            statTensors[2 * block + 1] = tf.keep(batch.variance);
          });
          if (loss.name === 'self_supervised') {
            const [a, b] = tf.split(z, 2) as tf.Tensor2D[];
            return loss.compute(a, y.slice(0, indices.length), { refEmbeddings: b });
          }
          const supervised = loss.compute(z, y, tuples);
          return options.selfSupervised ? supervised.add(options.selfSupervised.compute(z)) : supervised;
        },
        Object.values(trainables).map((t) => t.variable),
      );
      reached = Object.keys(result.grads);
      return [result.value, ...reached.map((name) => result.grads[name])];
    });
    const [[value], ...gradValues] = await readAndDispose(outputs);
    const grads = Object.fromEntries(reached.map((name, i) => [name, gradValues[i]]));
    const statValues = await readAndDispose(statTensors);
    const stats = Array.from({ length: statValues.length / 2 }, (_, block) => ({
      mean: statValues[2 * block],
      variance: statValues[2 * block + 1],
    }));
    if (!Number.isFinite(value) || !Object.values(grads).every(allFinite))
      return { loss: value, finite: false };

    beginStep(adam);
    const { decay = 'none', totalSteps = 1 } = options.learningRateDecay ?? {};
    const factor = learningRateFactor(decay, stepIndex, totalSteps);
    for (const [name, t] of Object.entries(trainables)) {
      const grad = grads[t.variable.name];
      // A parameter the loss does not reach has no gradient and does not move.
      if (!grad) continue;
      const config = { ...t.adam, learningRate: t.adam.learningRate * factor };
      if (options.weightDecay > 0 && t.decay) scale(t.values, 1 - config.learningRate * options.weightDecay);
      applyDense(adam, name, t.values, grad, config);
      syncVariable(t);
    }
    stats.forEach((batch, block) => {
      const cells = (shape.height >> block) * (shape.width >> block);
      updateRunningStats(params, block, batch, rows * cells);
    });
    return { loss: value, finite: true };
  }

  return {
    step,
    validate: () => options.validate(weights),
    snapshot: checkpoint.snapshot,
    restore(arrays, extra) {
      checkpoint.restore(arrays, extra);
      for (const t of Object.values(trainables)) syncVariable(t);
    },
    dispose() {
      for (const [name, t] of Object.entries(trainables)) if (!name.startsWith('loss.')) t.variable.dispose();
    },
  };
}

/**
 * Copies a parameter's host values into its variable. The variable takes a reference to the new tensor's
 * data, so the tensor itself must be disposed: kept, it would pin every step's values (a leak of the
 * whole parameter set per step).
 */
function syncVariable(t: Trainable): void {
  tf.tidy(() => t.variable.assign(tf.tensor(t.values, t.variable.shape)));
}

function concatArrays(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function scale(values: Float32Array, factor: number): void {
  for (let i = 0; i < values.length; i++) values[i] *= factor;
}

function updateRunningStats(
  params: Record<string, Float32Array>,
  block: number,
  batch: { mean: Float32Array; variance: Float32Array },
  count: number,
): void {
  const mean = params[`bn${block}.mean`];
  const variance = params[`bn${block}.variance`];
  const unbiased = count / Math.max(1, count - 1);
  for (let c = 0; c < mean.length; c++) {
    mean[c] += BATCH_NORM_MOMENTUM * (batch.mean[c] - mean[c]);
    variance[c] += BATCH_NORM_MOMENTUM * (batch.variance[c] * unbiased - variance[c]);
  }
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
