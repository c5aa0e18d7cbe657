import * as tf from '@tensorflow/tfjs';
import type { MetricLoss } from '../metric/index.ts';
import { range } from '../metric/losses/base.ts';

/**
 * A loss over aligned anchor and positive embeddings ([batch, dim] each; row i of both is a pair), with
 * the statistics its last computation recorded.
 */
export interface PairLoss {
  compute(anchors: tf.Tensor2D, positives: tf.Tensor2D): tf.Scalar;
  readStats(): Promise<Readonly<Record<string, number>>>;
}

/**
 * Adapts a metric loss to aligned pairs: row i of the anchors and of the positives is one pair, so
 * label i on both sides marks the positives and every other row of the batch is a negative.
 */
export function pairLossOf(loss: MetricLoss): PairLoss {
  return {
    compute(anchors, positives) {
      // Host-made labels: the loss reads them back, which a GPU backend cannot do synchronously.
      const labels = tf.tensor1d(range(anchors.shape[0]), 'int32');
      return loss.compute(anchors, labels, { refEmbeddings: positives, refLabels: labels });
    },
    readStats: () => loss.readStats(),
  };
}
