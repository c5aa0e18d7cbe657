import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../../shared/random.ts';
import { embeddingBag } from '../../encoder/embedding-bag.ts';
import {
  initTextEncoder,
  l2NormalizeRows,
  POOLING_EPSILON,
  type TextEncoderWeights,
} from '../../encoder/text-encoder.ts';

/**
 * The two towers. Items and users live in one space of unit vectors, compared by cosine.
 *
 *   item(i) = normalize(content(i) + id[i])
 *   content(i) = mean of the feature rows of i's title and categories (hashed n-grams) @ kernel + bias
 *   user(h) = normalize(mean(item(j) for j in the user's recent items h) @ userKernel + userBias)
 *
 * `id` starts at zero and only rows of items seen in training move, so a new item's vector is its content
 * alone: normalize(content(i)), which is exactly the text encoder exported to ONNX. A user is a function of
 * item vectors, so anyone with recent items gets a vector without retraining.
 */
export interface RecsWeights {
  /** content(): a text encoder without its final normalisation (outputDim = dim). */
  content: TextEncoderWeights;
  /** [items, dim] per-item corrections learned from interactions. */
  ids: Float32Array;
  /** [dim, dim], starts as the identity: an untrained user is the normalised mean of their items. */
  userKernel: Float32Array;
  /** [dim] */
  userBias: Float32Array;
  items: number;
  dim: number;
}

export interface TowerShape {
  dim: number;
  embeddingDim: number;
}

export function initRecsWeights(
  items: number,
  buckets: number,
  shape: TowerShape,
  seed: number,
): RecsWeights {
  const { dim } = shape;
  const userKernel = new Float32Array(dim * dim);
  for (let i = 0; i < dim; i++) userKernel[i * dim + i] = 1;
  return {
    content: initTextEncoder(buckets, { embeddingDim: shape.embeddingDim, outputDim: dim }, seed),
    ids: new Float32Array(items * dim),
    userKernel,
    userBias: new Float32Array(dim),
    items,
    dim,
  };
}

/** The trainable arrays by name: the names the optimiser and checkpoints use. */
export function trainableArrays(weights: RecsWeights): Record<string, Float32Array> {
  return {
    table: weights.content.table,
    kernel: weights.content.kernel,
    bias: weights.content.bias,
    ids: weights.ids,
    userKernel: weights.userKernel,
    userBias: weights.userBias,
  };
}

/** The item tower's inputs for a set of items: their padded features and their id rows. */
export interface ItemInputs {
  /** Content table rows the items use; `featureIds` index into them. */
  contentRows: tf.Tensor2D;
  featureIds: Int32Array;
  featureWeights: Float32Array;
  /** [items, dim] id rows, already multiplied by any dropout mask. */
  idRows: tf.Tensor2D;
  count: number;
}

/** Unit item vectors [count, dim]. */
export function itemVectors(
  inputs: ItemInputs,
  contentKernel: tf.Tensor2D,
  contentBias: tf.Tensor1D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const pooled = embeddingBag(
      inputs.contentRows,
      inputs.featureIds,
      inputs.featureWeights,
      inputs.count,
      POOLING_EPSILON,
    );
    return l2NormalizeRows(pooled.matMul(contentKernel).add(contentBias).add(inputs.idRows) as tf.Tensor2D);
  });
}

/**
 * Unit user vectors [users, dim] from item vectors: `history` ([users, length]) indexes rows of `items`
 * and `weights` is 1 for the recent items and 0 for padding.
 */
export function userVectors(
  items: tf.Tensor2D,
  history: Int32Array,
  weights: Float32Array,
  users: number,
  userKernel: tf.Tensor2D,
  userBias: tf.Tensor1D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const pooled = embeddingBag(items, history, weights, users, POOLING_EPSILON);
    return l2NormalizeRows(pooled.matMul(userKernel).add(userBias) as tf.Tensor2D);
  });
}

/** A keep mask for id rows: each item keeps its id embedding with probability 1 - rate. */
export function idKeepMask(count: number, rate: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: count }, () => (random() < rate ? 0 : 1));
}
