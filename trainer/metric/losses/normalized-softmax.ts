import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { crossEntropy } from '../tensor-ops.ts';
import { tupleWeights } from '../tuples.ts';
import { buildLoss, type MetricLoss, range, tupleTerm } from './base.ts';
import { checkClassLabels, classParameterFields, seededNormalVariable } from './class-parameters.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Normalized softmax (Zhai & Wu 2019, "Classification is a strong baseline for deep metric learning"), as
 * PML `NormalizedSoftmaxLoss(num_classes, embedding_size, temperature=0.05)`: cross entropy of
 * similarity(x, w_c / ||w_c||) / temperature. Parameter `W` [embedding_size, num_classes] (PML's layout),
 * standard normal init. Default distance dot product of normalised embeddings, reducer mean; a miner's
 * tuples weight each embedding's loss.
 */
export const NormalizedSoftmaxLossConfigSchema = lossSchema(z.literal('normalized_softmax'), {
  ...classParameterFields,
  temperature: z.number().positive().default(0.05),
});
export type NormalizedSoftmaxLossConfig = z.infer<typeof NormalizedSoftmaxLossConfigSchema>;

export function createNormalizedSoftmaxLoss(config: NormalizedSoftmaxLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'dot' }, reducer: { name: 'mean' } });
  const { distance } = common;
  const W = seededNormalVariable(config.embedding_size, config.num_classes, 1, config.seed);
  return buildLoss({
    name: 'normalized_softmax',
    ...common,
    parameters: { W },
    supportsRef: false,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, sets, tuple }) => {
      checkClassLabels('normalized_softmax', sets.labels, config.num_classes);
      const rows = embeddings.shape[0];
      return {
        loss: tupleTerm('element', [range(rows)], () => {
          const classVectors = distance.normalize(W.transpose() as tf.Tensor2D);
          const mat = distance.matrix(embeddings, classVectors).div(config.temperature) as tf.Tensor2D;
          const logits = distance.isInverted ? mat : (mat.neg() as tf.Tensor2D);
          return crossEntropy(logits, sets.labels).mul(tf.tensor1d(tupleWeights(tuple, rows))) as tf.Tensor1D;
        }),
      };
    },
  });
}
