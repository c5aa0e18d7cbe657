import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { entryMask, gatherEntries, maskedLogSumExp } from '../tensor-ops.ts';
import { allPairs, toPairs } from '../tuples.ts';
import { buildLoss, type MetricLoss, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Lifted structure loss (Song et al. 2016, eq. 4), as PML `LiftedStructureLoss(neg_margin=1, pos_margin=0)`:
 * for each positive pair (i, j), J = log(Σ_{(i,k)∈N} e^(neg_margin - d_ik) + Σ_{(j,l)∈N} e^(neg_margin - d_jl))
 * + d_ij - pos_margin, and the loss is [J]+² / 2 (mirrored for similarities), averaged over positive
 * pairs (reducer mean). Default distance normalised Euclidean. Without refEmbeddings: a pair's negatives
 * are those of both its members, which needs both in the batch.
 */
export const LiftedStructureLossConfigSchema = lossSchema(z.literal('lifted_structure'), {
  neg_margin: z.number().default(1),
  pos_margin: z.number().default(0),
});
export type LiftedStructureLossConfig = z.infer<typeof LiftedStructureLossConfigSchema>;

export function createLiftedStructureLoss(config: LiftedStructureLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'lp' }, reducer: { name: 'mean' } });
  const { distance } = common;
  return buildLoss({
    name: 'lifted_structure',
    ...common,
    supportsRef: false,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, sets, tuple }) => {
      const { a1, p, a2, n } = toPairs(tuple ?? allPairs(sets));
      const batch = embeddings.shape[0];
      return {
        loss: tupleTerm(
          'pos_pair',
          [a1, p],
          () => {
            const mat = distance.matrix(embeddings);
            // Each row's log Σ e^(neg_margin - d) over its negative pairs; PML's n_per_p mask, row by row.
            const negMask = entryMask(batch, batch, a2, n);
            const rowLse = maskedLogSumExp(
              distance.margin(config.neg_margin, mat) as tf.Tensor2D,
              negMask,
              false,
            );
            const hasNegatives = new Float32Array(batch);
            for (const anchor of a2) hasNegatives[anchor] = 1;
            const both = tf.stack([tf.gather(rowLse, a1), tf.gather(rowLse, p)], 1) as tf.Tensor2D;
            const keep = new Float32Array(a1.length * 2);
            a1.forEach((i, k) => {
              keep[2 * k] = hasNegatives[i];
              keep[2 * k + 1] = hasNegatives[p[k]];
            });
            const negativeTerm = maskedLogSumExp(both, keep, false);
            const j = negativeTerm.add(distance.margin(gatherEntries(mat, a1, p), config.pos_margin));
            return tf.relu(j).square().div(2) as tf.Tensor1D;
          },
          a1.length > 0 && a2.length > 0,
        ),
      };
    },
  });
}
