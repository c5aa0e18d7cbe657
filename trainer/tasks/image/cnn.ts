import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { mulberry32 } from '../../../shared/random.ts';
import { l2NormalizeRows } from '../../encoder/text-encoder.ts';
import { batchNormTraining } from './batch-norm.ts';

export { NORM_EPSILON } from '../../encoder/text-encoder.ts';

/**
 * A small CNN image encoder: per block a 3x3 'same' convolution, batch normalisation (optional), ReLU and
 * a 2x2 max pool; then flatten, one dense layer and L2 normalisation. Grey NHWC input [batch, h, w, 1],
 * already normalised (see shared/image/model-input.ts). Parameters are plain Float32Arrays by name, in
 * tfjs layouts (conv kernels HWIO, dense kernel [in, out]); the ONNX exporter converts them.
 */
export const CnnShapeSchema = z
  .object({
    height: z.number().int().min(4).default(28),
    width: z.number().int().min(4).default(28),
    /** Output channels of each convolution block; each block halves the height and width. */
    convWidths: z.array(z.number().int().positive()).min(1).max(5).default([32, 64]),
    kernelSize: z
      .number()
      .int()
      .min(1)
      .max(7)
      .refine((k) => k % 2 === 1, 'kernelSize must be odd')
      .default(3),
    batchNorm: z.boolean().default(true),
    /**
     * true: a dense layer projects the flattened feature map to embeddingDim. false: the flattened map
     * itself is the embedding (embeddingDim must then equal its size), which keeps the spatial layout.
     */
    dense: z.boolean().default(true),
    embeddingDim: z.number().int().positive().default(128),
  })
  .strict()
  .refine((s) => s.height >> s.convWidths.length >= 1 && s.width >> s.convWidths.length >= 1, {
    message: 'too many blocks for the input size: each block halves height and width',
  })
  .refine((s) => s.dense || s.embeddingDim === flatSize(s), {
    message: 'without a dense layer, embeddingDim must equal the flattened feature map (h x w x last width)',
  });
export type CnnShape = z.infer<typeof CnnShapeSchema>;

export const BATCH_NORM_EPSILON = 1e-5;

export interface CnnWeights {
  shape: CnnShape;
  params: Record<string, Float32Array>;
}

export interface ParamSpec {
  name: string;
  dims: number[];
  /** Batch-norm running statistics are not trained by gradient. */
  trainable: boolean;
}

/** Every parameter in forward order with its dims. */
export function cnnParamSpecs(shape: CnnShape): ParamSpec[] {
  const specs: ParamSpec[] = [];
  const k = shape.kernelSize;
  let channels = 1;
  shape.convWidths.forEach((width, i) => {
    specs.push({ name: `conv${i}.kernel`, dims: [k, k, channels, width], trainable: true });
    if (shape.batchNorm) {
      specs.push(
        { name: `bn${i}.gamma`, dims: [width], trainable: true },
        { name: `bn${i}.beta`, dims: [width], trainable: true },
        { name: `bn${i}.mean`, dims: [width], trainable: false },
        { name: `bn${i}.variance`, dims: [width], trainable: false },
      );
    } else {
      specs.push({ name: `conv${i}.bias`, dims: [width], trainable: true });
    }
    channels = width;
  });
  if (shape.dense) {
    specs.push(
      { name: 'dense.kernel', dims: [flatSize(shape), shape.embeddingDim], trainable: true },
      { name: 'dense.bias', dims: [shape.embeddingDim], trainable: true },
    );
  }
  return specs;
}

/** Spatial size after the blocks (each 2x2 'valid' max pool floors), times the last width. */
export function flatSize(shape: { height: number; width: number; convWidths: readonly number[] }): number {
  const blocks = shape.convWidths.length;
  return (shape.height >> blocks) * (shape.width >> blocks) * shape.convWidths[blocks - 1];
}

/**
 * Seeded initialisation as PyTorch's defaults for Conv2d+ReLU nets trained from scratch: He-normal
 * convolutions (std sqrt(2 / fan_in)), zero conv biases, batch norm gamma 1 / beta 0 with running mean 0
 * and variance 1, and a dense layer uniform in +-1/sqrt(fan_in) (torch.nn.Linear) with zero bias.
 */
export function initCnn(shape: CnnShape, seed: number): CnnWeights {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const params: Record<string, Float32Array> = {};
  for (const { name, dims } of cnnParamSpecs(shape)) {
    const size = dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (name.endsWith('.kernel') && name.startsWith('conv')) {
      const std = Math.sqrt(2 / (dims[0] * dims[1] * dims[2]));
      for (let i = 0; i < size; i++) values[i] = normal() * std;
    } else if (name === 'dense.kernel') {
      const bound = 1 / Math.sqrt(dims[0]);
      for (let i = 0; i < size; i++) values[i] = (2 * random() - 1) * bound;
    } else if (name.endsWith('.gamma') || name.endsWith('.variance')) {
      values.fill(1);
    }
    params[name] = values;
  }
  return { shape, params };
}

/** Batch-norm statistics a training forward measured, per block: to update the running averages. */
export interface BatchStats {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

export type CnnTensors = Record<string, tf.Tensor>;

export type ForwardMode =
  | { training: false }
  | { training: true; onStats: (block: number, stats: BatchStats) => void };

/** The embedding: the dense layer's output, L2-normalised. */
export function cnnForward(
  shape: CnnShape,
  params: CnnTensors,
  images: tf.Tensor4D,
  mode: ForwardMode,
): tf.Tensor2D {
  return l2NormalizeRows(cnnFeatures(shape, params, images, mode));
}

/**
 * The forward pass up to the dense layer's output (before normalisation). `training` normalises with the
 * batch's statistics and reports them to `onStats`; otherwise the running statistics are used
 * (inference, what the ONNX file computes).
 */
export function cnnFeatures(
  shape: CnnShape,
  params: CnnTensors,
  images: tf.Tensor4D,
  mode: ForwardMode,
): tf.Tensor2D {
  let x: tf.Tensor4D = images;
  shape.convWidths.forEach((_, i) => {
    x = tf.conv2d(x, params[`conv${i}.kernel`] as tf.Tensor4D, 1, 'same');
    let activated: tf.Tensor4D;
    if (shape.batchNorm) {
      const gamma = params[`bn${i}.gamma`] as tf.Tensor1D;
      const beta = params[`bn${i}.beta`] as tf.Tensor1D;
      // Training normalises and applies the ReLU in one op (fused on wasm).
      activated = mode.training
        ? batchNormTraining(
            x,
            gamma,
            beta,
            BATCH_NORM_EPSILON,
            (mean, variance) => mode.onStats(i, { mean, variance }),
            'relu',
          )
        : tf.relu(
            tf.batchNorm(
              x,
              params[`bn${i}.mean`],
              params[`bn${i}.variance`],
              beta,
              gamma,
              BATCH_NORM_EPSILON,
            ) as tf.Tensor4D,
          );
    } else {
      activated = tf.relu(x.add(params[`conv${i}.bias`]) as tf.Tensor4D);
    }
    x = tf.maxPool(activated, 2, 2, 'valid');
  });
  const flat = x.reshape([x.shape[0], -1]) as tf.Tensor2D;
  if (!shape.dense) return flat;
  return flat.matMul(params['dense.kernel'] as tf.Tensor2D).add(params['dense.bias']) as tf.Tensor2D;
}

/** Inference on normalised images [count * h * w], in batches; returns row-major [count, embeddingDim]. */
export function embedImages(weights: CnnWeights, inputs: Float32Array, batchSize = 256): Float32Array {
  const { shape } = weights;
  const size = shape.height * shape.width;
  const count = inputs.length / size;
  const out = new Float32Array(count * shape.embeddingDim);
  const params = tf.tidy(() => paramTensors(weights));
  try {
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const batch = inputs.subarray(start * size, (start + n) * size);
      const embedded = tf.tidy(() =>
        cnnForward(shape, params, tf.tensor4d(batch, [n, shape.height, shape.width, 1]), { training: false }),
      );
      out.set(embedded.dataSync(), start * shape.embeddingDim);
      embedded.dispose();
    }
  } finally {
    tf.dispose(params);
  }
  return out;
}

export function paramTensors(weights: CnnWeights): CnnTensors {
  return Object.fromEntries(
    cnnParamSpecs(weights.shape).map(({ name, dims }) => [name, tf.tensor(weights.params[name], dims)]),
  );
}

export function checkCnnWeights(weights: CnnWeights): void {
  for (const { name, dims } of cnnParamSpecs(weights.shape)) {
    const size = dims.reduce((a, b) => a * b, 1);
    if (weights.params[name]?.length !== size) {
      throw new Error(
        `CNN parameter ${name} has ${weights.params[name]?.length ?? 0} values, expected ${size}`,
      );
    }
  }
}
