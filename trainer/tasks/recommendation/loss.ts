import * as tf from '@tensorflow/tfjs';
import { createLoss, type LossConfig } from '../../metric/index.ts';
import { pairLossOf } from '../../train/pair-loss.ts';

/** A metric loss over users (anchors) and their positive items (row i of both is one example). */
export interface RecsLoss {
  /** `logQ` holds log q of each positive item, read only with popularity correction. */
  compute(users: tf.Tensor2D, positives: tf.Tensor2D, logQ: Float32Array): tf.Scalar;
  readStats(): Promise<Readonly<Record<string, number>>>;
}

/**
 * The configured library loss with every other positive of the batch as a negative. With popularity
 * correction (only for multiple_negatives_ranking) the softmax logits become
 *   scale * cos(u_i, v_j) - log q_j
 * where q_j is how often item j is a positive (Yi et al. 2019, "Sampling-bias-corrected neural modeling
 * for large corpus item recommendations"): in-batch negatives are drawn in proportion to popularity, and
 * without the correction popular items are pushed away from everyone. The library loss computes it
 * unchanged on vectors with one extra coordinate, u' = [u, 1] and v' = [v, -log q / scale], compared by
 * raw dot product: scale * u'.v' = scale * u.v - log q, and u.v = cos(u, v) because both are unit vectors.
 */
export function createRecsLoss(config: LossConfig, popularityCorrection: boolean): RecsLoss {
  if (!popularityCorrection) {
    const pairLoss = pairLossOf(createLoss(config));
    return {
      compute: (users, positives) => pairLoss.compute(users, positives),
      readStats: () => pairLoss.readStats(),
    };
  }
  if (config.name !== 'multiple_negatives_ranking') {
    throw new Error('popularity correction needs the multiple_negatives_ranking loss');
  }
  const { scale } = config;
  const pairLoss = pairLossOf(
    createLoss({ ...config, distance: { name: 'dot', normalize_embeddings: false } }),
  );
  return {
    compute(users, positives, logQ) {
      return tf.tidy(() => {
        const rows = users.shape[0];
        const one = tf.ones([rows, 1]);
        const correction = tf.tensor2d(logQ, [rows, 1]).div(-scale);
        return pairLoss.compute(
          tf.concat([users, one], 1) as tf.Tensor2D,
          tf.concat([positives, correction], 1) as tf.Tensor2D,
        );
      });
    },
    readStats: () => pairLoss.readStats(),
  };
}
