import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { entryMask, maskedLogSumExp } from '../tensor-ops.ts';
import { allPairs, toPairs } from '../tuples.ts';
import { buildLoss, type MetricLoss, range, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Generalized lifted structure loss (Hermans et al. 2017, "In defense of the triplet loss", eq. 6), as PML
 * `GeneralizedLiftedStructureLoss(neg_margin=1, pos_margin=0)`: per anchor
 * [log Σ_p e^(d_ap - pos_margin) + log Σ_n e^(neg_margin - d_an)]+ (mirrored for similarities), reducer
 * mean over anchors; default distance normalised Euclidean.
 */
export const GeneralizedLiftedStructureLossConfigSchema = lossSchema(
  z.literal('generalized_lifted_structure'),
  {
    neg_margin: z.number().default(1),
    pos_margin: z.number().default(0),
  },
);
export type GeneralizedLiftedStructureLossConfig = z.infer<typeof GeneralizedLiftedStructureLossConfigSchema>;

export function createGeneralizedLiftedStructureLoss(
  config: GeneralizedLiftedStructureLossConfig,
): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'lp' }, reducer: { name: 'mean' } });
  const { distance } = common;
  return buildLoss({
    name: 'generalized_lifted_structure',
    ...common,
    supportsRef: true,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, ref, sets, tuple }) => {
      const { a1, p, a2, n } = toPairs(tuple ?? allPairs(sets));
      const rows = embeddings.shape[0];
      return {
        loss: tupleTerm(
          'element',
          [range(rows)],
          () => {
            const mat = distance.matrix(embeddings, ref);
            const cols = mat.shape[1];
            const pos = maskedLogSumExp(
              distance.margin(mat, config.pos_margin) as tf.Tensor2D,
              entryMask(rows, cols, a1, p),
              false,
            );
            const neg = maskedLogSumExp(
              distance.margin(config.neg_margin, mat) as tf.Tensor2D,
              entryMask(rows, cols, a2, n),
              false,
            );
            return tf.relu(pos.add(neg)) as tf.Tensor1D;
          },
          a1.length + a2.length > 0,
        ),
      };
    },
  });
}
