import * as tf from '@tensorflow/tfjs';
import type { TextFeatures } from '../../../shared/featurizer/text.ts';
import { padFeatures } from '../../../shared/onnx/sub-batches.ts';
import { gatherIds, tableRows } from '../../encoder/text-encoder.ts';
import { type Pooling, padHistories } from './examples.ts';
import { rowsOf } from './step.ts';
import { itemVectors, type RecsWeights, userVectors } from './towers.ts';

/** Items encoded per TF.js call: bounds the padded feature batch. */
const ITEMS_PER_CALL = 1024;

/**
 * Every item's unit vector with TF.js, row-major [items, dim]: the vectors the index stores. With
 * `contentOnly`, the id embeddings are left out: the vector a brand-new item with these features gets.
 */
export function allItemVectors(
  weights: RecsWeights,
  features: readonly TextFeatures[],
  options: { contentOnly?: boolean } = {},
): Float32Array {
  const { content, dim } = weights;
  const out = new Float32Array(features.length * dim);
  for (let start = 0; start < features.length; start += ITEMS_PER_CALL) {
    const rows = Int32Array.from(
      { length: Math.min(ITEMS_PER_CALL, features.length - start) },
      (_, i) => start + i,
    );
    const batch = padFeatures(Array.from(rows, (row) => features[row]));
    const { uniqueIds, localIds } = gatherIds(batch.ids);
    const ids = options.contentOnly ? new Float32Array(rows.length * dim) : rowsOf(weights.ids, rows, dim);
    const vectors = tf.tidy(() =>
      itemVectors(
        {
          contentRows: tf.tensor2d(tableRows(content, uniqueIds), [uniqueIds.length, content.embeddingDim]),
          featureIds: localIds,
          featureWeights: batch.weights,
          idRows: tf.tensor2d(ids, [rows.length, dim]),
          count: rows.length,
        },
        tf.tensor2d(content.kernel, [content.embeddingDim, dim]),
        tf.tensor1d(content.bias),
      ),
    );
    out.set(vectors.dataSync(), start * dim);
    vectors.dispose();
  }
  return out;
}

/** Unit user vectors [histories, dim] with TF.js from item vectors and histories of item rows. */
export function userVectorsFrom(
  weights: RecsWeights,
  items: Float32Array,
  histories: readonly ArrayLike<number>[],
  pooling: Pooling,
): Float32Array {
  const { dim } = weights;
  const padded = padHistories(histories, pooling);
  const users = tf.tidy(() =>
    userVectors(
      tf.tensor2d(items, [items.length / dim, dim]),
      padded.rows,
      padded.weights,
      histories.length,
      tf.tensor2d(weights.userKernel, [dim, dim]),
      tf.tensor1d(weights.userBias),
    ),
  );
  const data = users.dataSync() as Float32Array;
  users.dispose();
  return data;
}
