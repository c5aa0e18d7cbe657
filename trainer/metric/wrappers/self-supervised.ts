import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import { range } from '../losses/base.ts';
import { createPlainLoss, type MetricLoss } from '../losses/index.ts';
import { InnerLossConfigSchema } from './inner-loss.ts';

/**
 * PML `SelfSupervisedLoss(loss, symmetric=True)`: for unlabeled data, `embeddings` and `refEmbeddings` are
 * two augmented views of the same items (see augment/), row i of each forms the positive pair and every
 * other row is a negative. The labels argument is replaced by the row index. Symmetric stacks both views
 * as one batch (each view is an anchor); otherwise views are anchors and refs. Default inner loss: ntxent
 * (SimCLR).
 */
export const SelfSupervisedConfigSchema = strictConfig({
  name: z.literal('self_supervised'),
  loss: InnerLossConfigSchema.default({ name: 'ntxent', temperature: 0.07 }),
  symmetric: z.boolean().default(true),
});
export type SelfSupervisedConfig = z.infer<typeof SelfSupervisedConfigSchema>;

export function createSelfSupervisedLoss(config: SelfSupervisedConfig): MetricLoss {
  const inner = createPlainLoss(config.loss);
  return {
    name: 'self_supervised',
    parameters: inner.parameters,
    readStats: () => inner.readStats(),
    dispose: () => inner.dispose(),
    compute(embeddings, _labels, options = {}) {
      const ref = options.refEmbeddings;
      if (ref === undefined || ref.shape[0] !== embeddings.shape[0] || ref.shape[1] !== embeddings.shape[1]) {
        throw new Error(
          'self_supervised needs refEmbeddings shaped like embeddings: the second view of each item',
        );
      }
      if (options.indicesTuple || options.miner)
        throw new Error('self_supervised builds its own tuples from the views');
      return tf.tidy(() => {
        const rows = embeddings.shape[0];
        // Host-made labels: losses read them back, which a GPU backend cannot do synchronously.
        const ids = tf.tensor1d(range(rows), 'int32');
        if (!config.symmetric) return inner.compute(embeddings, ids, { refEmbeddings: ref, refLabels: ids });
        return inner.compute(tf.concat([embeddings, ref]), tf.concat([ids, ids]));
      });
    },
  };
}
