import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { entryMask, maskedLogSumExp, stopGradient } from '../tensor-ops.ts';
import { allPairs, toPairs } from '../tuples.ts';
import { buildLoss, type MetricLoss, range, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Circle loss (Sun et al. 2020, eq. 6-8), as PML `CircleLoss(m=0.4, gamma=80)`: per anchor
 * softplus(log Σ_n e^(gamma a_n (s_n - m)) + log Σ_p e^(-gamma a_p (s_p - 1 + m))) with
 * a_p = [1 + m - s_p]+ and a_n = [s_n + m]+ held constant in the gradient (PML detaches them); anchors
 * lacking a positive or a negative get 0. Cosine similarity only; reducer avg_non_zero.
 */
export const CircleLossConfigSchema = lossSchema(z.literal('circle'), {
  m: z.number().default(0.4),
  gamma: z.number().positive().default(80),
});
export type CircleLossConfig = z.infer<typeof CircleLossConfigSchema>;

export function createCircleLoss(config: CircleLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'cosine' }, reducer: { name: 'avg_non_zero' } });
  const { distance } = common;
  if (distance.name !== 'cosine') throw new Error('circle needs the cosine distance');
  const { m, gamma } = config;
  return buildLoss({
    name: 'circle',
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
            const posMask = entryMask(rows, cols, a1, p);
            const negMask = entryMask(rows, cols, a2, n);
            const fixed = stopGradient(mat);
            const posLogits = tf
              .relu(fixed.neg().add(1 + m))
              .mul(mat.sub(1 - m))
              .mul(-gamma) as tf.Tensor2D;
            const negLogits = tf.relu(fixed.add(m)).mul(mat.sub(m)).mul(gamma) as tf.Tensor2D;
            const losses = tf.softplus(
              maskedLogSumExp(posLogits, posMask, false).add(maskedLogSumExp(negLogits, negMask, false)),
            );
            return losses.mul(tf.tensor1d(rowsWithBoth(rows, cols, posMask, negMask))) as tf.Tensor1D;
          },
          a1.length + a2.length > 0,
        ),
      };
    },
  });
}

function rowsWithBoth(
  rows: number,
  cols: number,
  posMask: Float32Array,
  negMask: Float32Array,
): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let pos = false;
    let neg = false;
    for (let c = 0; c < cols; c++) {
      pos ||= posMask[r * cols + c] > 0;
      neg ||= negMask[r * cols + c] > 0;
    }
    out[r] = pos && neg ? 1 : 0;
  }
  return out;
}
