import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { crossEntropy } from '../tensor-ops.ts';
import { buildLoss, type MetricLoss, range, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Multiple negatives ranking loss (Henderson et al. 2017), as sentence-transformers'
 * `MultipleNegativesRankingLoss(scale=20, similarity_fct=cos_sim)`: anchors are `embeddings`, row i of
 * `refEmbeddings` is anchor i's positive and every other ref row is a negative (ref rows past the batch
 * size are extra hard negatives). Cross entropy of scale × similarity with target i; `symmetric` also
 * ranks anchors for each positive and averages both directions (sentence-transformers'
 * MultipleNegativesSymmetricRankingLoss). Labels are not read: the targets are the diagonal, so two rows
 * with the same label count as negatives of each other, as in sentence-transformers; sample batches
 * without duplicates (the `pairs` sampler with keys). Reducer mean over anchors.
 */
export const MultipleNegativesRankingLossConfigSchema = lossSchema(z.literal('multiple_negatives_ranking'), {
  scale: z.number().positive().default(20),
  symmetric: z.boolean().default(false),
});
export type MultipleNegativesRankingLossConfig = z.infer<typeof MultipleNegativesRankingLossConfigSchema>;

export function createMultipleNegativesRankingLoss(config: MultipleNegativesRankingLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'cosine' }, reducer: { name: 'mean' } });
  const { distance } = common;
  return buildLoss({
    name: 'multiple_negatives_ranking',
    ...common,
    supportsRef: true,
    supportsTuples: false,
    labels: 'pairs',
    terms: ({ embeddings, ref }) => {
      const rows = embeddings.shape[0];
      if (ref === undefined || ref.shape[0] < rows) {
        throw new Error(
          'multiple_negatives_ranking needs refEmbeddings with at least one row per anchor (row i is the positive of anchor i)',
        );
      }
      return {
        loss: tupleTerm('element', [range(rows)], () => {
          const mat = distance.matrix(embeddings, ref);
          const scores = (distance.isInverted ? mat : mat.neg()).mul(config.scale) as tf.Tensor2D;
          const targets = range(rows);
          const forward = crossEntropy(scores, targets);
          if (!config.symmetric) return forward;
          const backward = crossEntropy(scores.slice([0, 0], [rows, rows]).transpose(), targets);
          return forward.add(backward).div(2) as tf.Tensor1D;
        }),
      };
    },
  });
}
