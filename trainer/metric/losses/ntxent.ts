import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { entryMask, gatherEntries, maskedLogSumExp } from '../tensor-ops.ts';
import { allPairs, toPairs } from '../tuples.ts';
import { buildLoss, type MetricLoss, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * NT-Xent / InfoNCE (Chen et al. 2020 SimCLR; van den Oord et al. 2018), as PML
 * `NTXentLoss(temperature=0.07)`: for each positive pair -log(e^(s_ap/t) / (e^(s_ap/t) + Σ_n e^(s_an/t)))
 * over the anchor's negative pairs; default distance cosine (distances are negated), reducer mean over
 * positive pairs. Computed as a stable log-sum-exp (PML adds a tiny epsilon inside the log instead).
 */
export const NTXentLossConfigSchema = lossSchema(z.literal('ntxent'), {
  temperature: z.number().positive().default(0.07),
});
export type NTXentLossConfig = z.infer<typeof NTXentLossConfigSchema>;

export function createNTXentLoss(config: NTXentLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'cosine' }, reducer: { name: 'mean' } });
  const { distance } = common;
  return buildLoss({
    name: 'ntxent',
    ...common,
    supportsRef: true,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, ref, sets, tuple }) => {
      const { a1, p, a2, n } = toPairs(tuple ?? allPairs(sets));
      return {
        loss: tupleTerm(
          'pos_pair',
          [a1, p],
          () => {
            const mat = distance.matrix(embeddings, ref);
            const [rows, cols] = mat.shape;
            const logits = (distance.isInverted ? mat : mat.neg()).div(config.temperature) as tf.Tensor2D;
            const negLse = maskedLogSumExp(logits, entryMask(rows, cols, a2, n), false);
            const hasNegatives = new Float32Array(rows);
            for (const anchor of a2) hasNegatives[anchor] = 1;
            const posLogits = gatherEntries(logits, a1, p);
            const keep = new Float32Array(a1.length * 2);
            a1.forEach((anchor, k) => {
              keep[2 * k] = 1;
              keep[2 * k + 1] = hasNegatives[anchor];
            });
            const both = tf.stack([posLogits, tf.gather(negLse, a1)], 1) as tf.Tensor2D;
            return maskedLogSumExp(both, keep, false).sub(posLogits) as tf.Tensor1D;
          },
          a1.length > 0 && a2.length > 0,
        ),
      };
    },
  });
}
