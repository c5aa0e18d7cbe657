import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { createLoss, type MetricLoss } from '../../metric/index.ts';

/**
 * An instance-discrimination term for supervised training on two views per image: SimCLR's NT-Xent
 * (PML `SelfSupervisedLoss(NTXentLoss(temperature))`) over the views, times `weight`, added to the
 * supervised loss. A supervised loss pulls every image of a class together and so discards what tells
 * them apart; unseen classes need some of it (Islam et al. 2021 find supervised plus self-supervised
 * contrastive features transfer better than either alone).
 */
export const SelfSupervisedTermSchema = z
  .object({
    weight: z.number().positive(),
    temperature: z.number().positive().default(0.1),
  })
  .strict();
export type SelfSupervisedTermConfig = z.infer<typeof SelfSupervisedTermSchema>;

export interface SelfSupervisedTerm {
  /** `weight` x NT-Xent over the batch's two halves, the first and the second view of the same images. */
  compute(embeddings: tf.Tensor2D): tf.Scalar;
  dispose(): void;
}

export function createSelfSupervisedTerm(config: SelfSupervisedTermConfig): SelfSupervisedTerm {
  const loss: MetricLoss = createLoss({
    name: 'self_supervised',
    loss: { name: 'ntxent', temperature: config.temperature },
  });
  return {
    compute: (embeddings) =>
      tf.tidy(() => {
        const [first, second] = tf.split(embeddings, 2) as tf.Tensor2D[];
        const labels = tf.zeros([first.shape[0]], 'int32') as tf.Tensor1D;
        return loss.compute(first, labels, { refEmbeddings: second }).mul(config.weight) as tf.Scalar;
      }),
    dispose: () => loss.dispose(),
  };
}
