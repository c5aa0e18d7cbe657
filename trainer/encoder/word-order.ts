import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { embeddingBag } from './embedding-bag.ts';

/**
 * The word-order layer: a residual, low-rank 1-D convolution over the token vectors before pooling.
 * Each token's vector u_t is the weighted mean of its own features' rows (the featurizer's 'tokens'
 * layout); the layer adds
 *   g_t = relu([u_{t-h}, ..., u_{t+h}] @ mix + mixBias) @ out        (h = (width - 1) / 2, zero padded)
 * and the text is the mean of u_t + g_t weighted by each token's feature weight W_t. With `out` zero
 * (its initial value) that mean is exactly the bag of n-grams, so the layer starts from the bag model
 * and learns only what word order adds.
 */
export const WordOrderSchema = z
  .object({
    kind: z.literal('conv'),
    /** Tokens the convolution sees at once (odd, centred on the token). */
    width: z
      .number()
      .int()
      .min(1)
      .max(7)
      .refine((w) => w % 2 === 1, 'width must be odd (the window is centred on the token)')
      .default(3),
    /** Hidden channels between the window and the residual (the layer costs width x dim x rank + rank x dim). */
    rank: z.number().int().min(1).max(1024).default(64),
  })
  .strict();
export type WordOrderConfig = z.infer<typeof WordOrderSchema>;

export interface WordOrderWeights {
  width: number;
  rank: number;
  /** [width * embeddingDim, rank]: window position k's block is rows k * embeddingDim .. (k + 1) * embeddingDim. */
  mix: Float32Array;
  /** [rank] */
  mixBias: Float32Array;
  /** [rank, embeddingDim], zero at initialisation. */
  out: Float32Array;
}

/** Glorot-uniform `mix`, zero `mixBias` and `out`: the initial model is the bag of n-grams. */
export function initWordOrder(config: WordOrderConfig, dim: number, random: () => number): WordOrderWeights {
  const { width, rank } = config;
  const limit = Math.sqrt(6 / (width * dim + rank));
  const mix = new Float32Array(width * dim * rank);
  for (let i = 0; i < mix.length; i++) mix[i] = (random() * 2 - 1) * limit;
  return { width, rank, mix, mixBias: new Float32Array(rank), out: new Float32Array(rank * dim) };
}

/** The layer's parameters by the names checkpoints and the optimiser use. */
export function wordOrderParams(order: WordOrderWeights): Record<string, Float32Array> {
  return { 'wordOrder.mix': order.mix, 'wordOrder.mixBias': order.mixBias, 'wordOrder.out': order.out };
}

export interface WordOrderTensors {
  mix: tf.Tensor2D;
  mixBias: tf.Tensor1D;
  out: tf.Tensor2D;
}

export function wordOrderTensors(order: WordOrderWeights, dim: number): WordOrderTensors {
  return {
    mix: tf.tensor2d(order.mix, [order.width * dim, order.rank]),
    mixBias: tf.tensor1d(order.mixBias),
    out: tf.tensor2d(order.out, [order.rank, dim]),
  };
}

/**
 * Pooled text vectors [batch, dim] from a 'tokens' layout batch: token means, the residual convolution,
 * then the mean over tokens weighted by each token's share of the text's feature weight.
 */
export function poolWithWordOrder(
  rows: tf.Tensor2D,
  localIds: Int32Array,
  weights: Float32Array,
  batch: number,
  tokens: number,
  width: number,
  layer: WordOrderTensors,
  epsilon: number,
): tf.Tensor2D {
  const dim = rows.shape[1];
  const slots = localIds.length / (batch * tokens);
  const share = tokenShares(weights, batch, tokens, slots, epsilon);
  return tf.tidy(() => {
    const means = embeddingBag(rows, localIds, weights, batch * tokens, epsilon);
    const half = (width - 1) / 2;
    const padded = means.reshape([batch, tokens, dim]).pad([
      [0, 0],
      [half, half],
      [0, 0],
    ]);
    const windows = tf.concat(
      Array.from({ length: width }, (_, k) => padded.slice([0, k, 0], [batch, tokens, dim])),
      2,
    );
    const hidden = windows
      .reshape([batch * tokens, width * dim])
      .matMul(layer.mix)
      .add(layer.mixBias)
      .relu();
    const mixed = means.add(hidden.matMul(layer.out));
    return mixed
      .mul(tf.tensor2d(share, [batch * tokens, 1]))
      .reshape([batch, tokens, dim])
      .sum(1) as tf.Tensor2D;
  });
}

/** W_t / max(sum_t W_t, epsilon) per token, W_t the sum of the token's feature weights. */
export function tokenShares(
  weights: Float32Array,
  batch: number,
  tokens: number,
  slots: number,
  epsilon: number,
): Float32Array {
  const share = new Float32Array(batch * tokens);
  for (let b = 0; b < batch; b++) {
    let total = 0;
    for (let t = 0; t < tokens; t++) {
      let w = 0;
      for (let s = 0; s < slots; s++) w += weights[(b * tokens + t) * slots + s];
      share[b * tokens + t] = w;
      total += w;
    }
    const inverse = 1 / Math.max(total, epsilon);
    for (let t = 0; t < tokens; t++) share[b * tokens + t] *= inverse;
  }
  return share;
}
