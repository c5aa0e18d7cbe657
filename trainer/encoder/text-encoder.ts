import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { FeatureBatch } from '../../shared/featurizer/text.ts';
import { mulberry32 } from '../../shared/random.ts';
import { embeddingBag } from './embedding-bag.ts';
import {
  initWordOrder,
  poolWithWordOrder,
  WordOrderSchema,
  type WordOrderTensors,
  type WordOrderWeights,
  wordOrderParams,
  wordOrderTensors,
} from './word-order.ts';

/**
 * The text encoder: a hashed n-gram embedding bag (weighted mean of the rows of `table` picked by the
 * featurizer's ids), one dense layer, then L2 normalisation. It is small enough to run in a Worker and
 * exact to explain (the pooled vector is a weighted sum of rows).
 */
export const TextEncoderShapeSchema = z
  .object({
    embeddingDim: z.number().int().min(2).max(1024).default(64),
    outputDim: z.number().int().min(2).max(1024).default(128),
    /**
     * 'identity' starts the dense layer as the identity (outputDim must equal embeddingDim): with
     * IDF-scaled random rows the untrained model is then a random projection of the text's TF-IDF vector
     * with no further distortion, where a random square kernel skews its cosines. Default: Glorot-uniform.
     */
    kernelInit: z.enum(['glorot', 'identity']).optional(),
    /**
     * A layer that sees word order before pooling (word-order.ts); needs the featurizer's 'tokens'
     * layout. Absent: the bag of n-grams, the fastest model.
     */
    wordOrder: WordOrderSchema.optional(),
  })
  .strict()
  .refine((shape) => shape.kernelInit !== 'identity' || shape.embeddingDim === shape.outputDim, {
    message: "kernelInit 'identity' needs outputDim equal to embeddingDim",
    path: ['kernelInit'],
  });
export type TextEncoderShape = z.infer<typeof TextEncoderShapeSchema>;

/** Parameters as plain row-major arrays: the form checkpoints, the ONNX exporter and the optimiser share. */
export interface TextEncoderWeights {
  /** [buckets, embeddingDim] */
  table: Float32Array;
  /** [embeddingDim, outputDim] */
  kernel: Float32Array;
  /** [outputDim] */
  bias: Float32Array;
  buckets: number;
  embeddingDim: number;
  outputDim: number;
  /** The word-order layer, when the shape has one. */
  wordOrder?: WordOrderWeights;
}

/** Every trained array by the name checkpoints and the optimiser use. */
export function encoderParams(weights: TextEncoderWeights): Record<string, Float32Array> {
  const { table, kernel, bias, wordOrder } = weights;
  return { table, kernel, bias, ...(wordOrder ? wordOrderParams(wordOrder) : {}) };
}

/** Guards the weighted mean against a text with no features (all weights 0). */
export const POOLING_EPSILON = 1e-6;
/** Guards L2 normalisation of a zero vector. */
export const NORM_EPSILON = 1e-12;

/** Seeded initialisation: small uniform rows for the table, Glorot-uniform (or identity) kernel, zero bias. */
export function initTextEncoder(buckets: number, shape: TextEncoderShape, seed: number): TextEncoderWeights {
  const random = mulberry32(seed);
  const uniform = (n: number, limit: number) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = (random() * 2 - 1) * limit;
    return out;
  };
  const { embeddingDim, outputDim } = shape;
  const table = uniform(buckets * embeddingDim, 0.1);
  // Drawn either way, so the table is the same for both kernel inits of a seed.
  const glorot = uniform(embeddingDim * outputDim, Math.sqrt(6 / (embeddingDim + outputDim)));
  return {
    table,
    kernel: shape.kernelInit === 'identity' ? identityKernel(embeddingDim) : glorot,
    bias: new Float32Array(outputDim),
    buckets,
    embeddingDim,
    outputDim,
    // Drawn last, so the table and kernel of a seed are those of the bag model.
    ...(shape.wordOrder ? { wordOrder: initWordOrder(shape.wordOrder, embeddingDim, random) } : {}),
  };
}

function identityKernel(dim: number): Float32Array {
  const kernel = new Float32Array(dim * dim);
  for (let k = 0; k < dim; k++) kernel[k * dim + k] = 1;
  return kernel;
}

/** A word-order layer's tensors with the token count of the batch it runs on. */
export interface WordOrderInput {
  tokens: number;
  width: number;
  layer: WordOrderTensors;
}

/**
 * The forward pass from already-gathered rows: `rows` holds the table rows a batch uses and
 * `localIds` ([batch, length]) indexes into them. Training differentiates through `rows` so that only
 * the touched rows get gradients (a sparse update) instead of a dense [buckets, dim] gradient.
 * With `wordOrder` the batch is in the 'tokens' layout and pooling goes through the word-order layer.
 */
export function encodeFromRows(
  rows: tf.Tensor2D,
  localIds: Int32Array,
  weights: Float32Array,
  batch: number,
  kernel: tf.Tensor2D,
  bias: tf.Tensor1D,
  wordOrder?: WordOrderInput,
): tf.Tensor2D {
  return tf.tidy(() => {
    const pooled = wordOrder
      ? poolWithWordOrder(
          rows,
          localIds,
          weights,
          batch,
          wordOrder.tokens,
          wordOrder.width,
          wordOrder.layer,
          POOLING_EPSILON,
        )
      : embeddingBag(rows, localIds, weights, batch, POOLING_EPSILON);
    return l2NormalizeRows(pooled.matMul(kernel).add(bias) as tf.Tensor2D);
  });
}

/** The word-order input for `batch`, or none for a bag model; a bag-layout batch for a word-order model is an error. */
export function wordOrderInput(
  weights: TextEncoderWeights,
  batch: FeatureBatch,
  layer: () => WordOrderTensors,
): WordOrderInput | undefined {
  if (!weights.wordOrder) return undefined;
  if (batch.tokens === undefined) {
    throw new Error("a word-order encoder needs the featurizer's 'tokens' layout (featurizer.layout)");
  }
  return { tokens: batch.tokens, width: weights.wordOrder.width, layer: layer() };
}

export function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => x.div(x.square().sum(1, true).sqrt().maximum(NORM_EPSILON)) as tf.Tensor2D);
}

/** Rows of the table a batch touches, and the batch's ids rewritten to index into them. */
export interface GatheredBatch {
  uniqueIds: Int32Array;
  localIds: Int32Array;
}

export function gatherIds(ids: Int32Array): GatheredBatch {
  const slotOf = new Map<number, number>();
  const localIds = new Int32Array(ids.length);
  const unique: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    let slot = slotOf.get(ids[i]);
    if (slot === undefined) {
      slot = unique.length;
      slotOf.set(ids[i], slot);
      unique.push(ids[i]);
    }
    localIds[i] = slot;
  }
  return { uniqueIds: Int32Array.from(unique), localIds };
}

export function tableRows(weights: TextEncoderWeights, uniqueIds: Int32Array): Float32Array {
  const dim = weights.embeddingDim;
  const rows = new Float32Array(uniqueIds.length * dim);
  for (let r = 0; r < uniqueIds.length; r++) {
    rows.set(weights.table.subarray(uniqueIds[r] * dim, (uniqueIds[r] + 1) * dim), r * dim);
  }
  return rows;
}

/** Inference with TensorFlow.js: the reference the ONNX export must match. */
export function embedBatch(weights: TextEncoderWeights, batch: FeatureBatch): Float32Array {
  const { uniqueIds, localIds } = gatherIds(batch.ids);
  // The tensor, not its data, leaves the tidy: tfjs walks every element of a returned typed array.
  const out = tf.tidy(() =>
    encodeFromRows(
      tf.tensor2d(tableRows(weights, uniqueIds), [uniqueIds.length, weights.embeddingDim]),
      localIds,
      batch.weights,
      batch.batch,
      tf.tensor2d(weights.kernel, [weights.embeddingDim, weights.outputDim]),
      tf.tensor1d(weights.bias),
      wordOrderInput(weights, batch, () => wordOrderTensors(weights.wordOrder!, weights.embeddingDim)),
    ),
  );
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}
