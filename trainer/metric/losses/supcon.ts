import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { entryMask, maskedLogSumExp } from '../tensor-ops.ts';
import { allPairs, toPairs } from '../tuples.ts';
import { buildLoss, type MetricLoss, range, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Supervised contrastive loss (Khosla et al. 2020, L_out eq. 2), as PML `SupConLoss(temperature=0.1)`:
 * per anchor, minus the mean over its positives of log(e^(s_ap/t) / Σ_{k∈P∪N} e^(s_ak/t)); anchors without
 * positives get 0. Default distance cosine (distances are negated), reducer avg_non_zero.
 */
export const SupConLossConfigSchema = lossSchema(z.literal('supcon'), {
  temperature: z.number().positive().default(0.1),
});
export type SupConLossConfig = z.infer<typeof SupConLossConfigSchema>;

export function createSupConLoss(config: SupConLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'cosine' }, reducer: { name: 'avg_non_zero' } });
  const { distance } = common;
  return buildLoss({
    name: 'supcon',
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
            const logits = (distance.isInverted ? mat : mat.neg()).div(config.temperature) as tf.Tensor2D;
            const posMask = entryMask(rows, cols, a1, p);
            const denominatorMask = entryMask(rows, cols, a2, n);
            const posCount = new Float32Array(rows);
            posMask.forEach((v, i) => {
              if (v > 0) {
                denominatorMask[i] = 1;
                posCount[Math.floor(i / cols)]++;
              }
            });
            const logProb = logits.sub(maskedLogSumExp(logits, denominatorMask, false).expandDims(1));
            const meanPos = logProb
              .mul(tf.tensor2d(posMask, [rows, cols]))
              .sum(1)
              .div(tf.tensor1d(posCount).maximum(1));
            return meanPos.neg() as tf.Tensor1D;
          },
          a1.length > 0 && a2.length > 0,
        ),
      };
    },
  });
}
