import * as tf from '@tensorflow/tfjs';
import type { MetricLoss } from '../metric/index.ts';
import { range } from '../metric/losses/base.ts';
import type { PairLoss } from './text-pair-step.ts';

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
