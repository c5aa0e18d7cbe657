import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { entryMask, maskedLogSumExp } from '../tensor-ops.ts';
import { allPairs, toPairs } from '../tuples.ts';
import { buildLoss, type MetricLoss, range, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Multi-similarity loss (Wang et al. 2019, eq. 12), as PML `MultiSimilarityLoss(alpha=2, beta=50,
 * base=0.5)`: per anchor (1/alpha) log(1 + Σ_p e^(-alpha (s_ap - base))) + (1/beta) log(1 + Σ_n
 * e^(beta (s_an - base))); default distance cosine, reducer mean. Pair it with the multi_similarity miner
 * for the paper's setting.
 */
export const MultiSimilarityLossConfigSchema = lossSchema(z.literal('multi_similarity'), {
  alpha: z.number().positive().default(2),
  beta: z.number().positive().default(50),
  base: z.number().default(0.5),
});
export type MultiSimilarityLossConfig = z.infer<typeof MultiSimilarityLossConfigSchema>;

export function createMultiSimilarityLoss(config: MultiSimilarityLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'cosine' }, reducer: { name: 'mean' } });
  const { distance } = common;
  const { alpha, beta, base } = config;
  return buildLoss({
    name: 'multi_similarity',
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
            const posExp = distance.margin(mat, base).mul(alpha) as tf.Tensor2D;
            const negExp = distance.margin(base, mat).mul(beta) as tf.Tensor2D;
            const pos = maskedLogSumExp(posExp, entryMask(rows, cols, a1, p), true).div(alpha);
            const neg = maskedLogSumExp(negExp, entryMask(rows, cols, a2, n), true).div(beta);
            return pos.add(neg) as tf.Tensor1D;
          },
          a1.length + a2.length > 0,
        ),
      };
    },
  });
}
