import * as tf from '@tensorflow/tfjs';
import type { MetricLoss } from '../metric/index.ts';
import type { PairLoss } from './text-pair-step.ts';

/**
 * Adapts a metric loss to aligned pairs: row i of the anchors and of the positives is one pair, so
 * label i on both sides marks the positives and every other row of the batch is a negative.
 */
export function pairLossOf(loss: MetricLoss): PairLoss {
  return {
    compute(anchors, positives) {
      const labels = tf.range(0, anchors.shape[0], 1, 'int32') as tf.Tensor1D;
      return loss.compute(anchors, labels, { refEmbeddings: positives, refLabels: labels });
    },
    get stats() {
      return loss.stats;
    },
  };
}
