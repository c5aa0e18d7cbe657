import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { gatherEntries } from '../tensor-ops.ts';
import { allPairs, toPairs } from '../tuples.ts';
import { buildLoss, type MetricLoss, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Contrastive loss (Hadsell, Chopra & LeCun 2006), as PML `ContrastiveLoss(pos_margin=0, neg_margin=1)`:
 * positive pairs [d - pos_margin]+, negative pairs [neg_margin - d]+ (mirrored for similarities), two
 * sub-losses each reduced by avg_non_zero; default distance normalised Euclidean.
 */
export const ContrastiveLossConfigSchema = lossSchema(z.literal('contrastive'), {
  pos_margin: z.number().default(0),
  neg_margin: z.number().default(1),
});
export type ContrastiveLossConfig = z.infer<typeof ContrastiveLossConfigSchema>;

export function createContrastiveLoss(config: ContrastiveLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'lp' }, reducer: { name: 'avg_non_zero' } });
  const { distance } = common;
  return buildLoss({
    name: 'contrastive',
    ...common,
    supportsRef: true,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, ref, sets, tuple }) => {
      const { a1, p, a2, n } = toPairs(tuple ?? allPairs(sets));
      const mat = distance.matrix(embeddings, ref);
      return {
        pos_loss: tupleTerm(
          'pos_pair',
          [a1, p],
          () => tf.relu(distance.margin(gatherEntries(mat, a1, p), config.pos_margin)) as tf.Tensor1D,
        ),
        neg_loss: tupleTerm(
          'neg_pair',
          [a2, n],
          () => tf.relu(distance.margin(config.neg_margin, gatherEntries(mat, a2, n))) as tf.Tensor1D,
        ),
      };
    },
  });
}
