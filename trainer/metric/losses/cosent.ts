import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { maskedLogSumExp } from '../tensor-ops.ts';
import { buildLoss, type MetricLoss } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * CoSENT (Su 2022), as sentence-transformers' `CoSENTLoss(scale=20)`: for graded pairs,
 * log(1 + Σ_{y_i < y_j} e^(scale (s_i - s_j))), so every pair scored lower must be less similar than every
 * pair scored higher. Pair i is (embeddings row i, refEmbeddings row i) and `labels` holds its graded
 * score (any real numbers; only their order matters). Default distance cosine. Already a scalar, so the
 * reducer has nothing to do.
 */
export const CoSENTLossConfigSchema = lossSchema(z.literal('cosent'), {
  scale: z.number().positive().default(20),
});
export type CoSENTLossConfig = z.infer<typeof CoSENTLossConfigSchema>;

export function createCoSENTLoss(config: CoSENTLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'cosine' }, reducer: { name: 'mean' } });
  const { distance } = common;
  return buildLoss({
    name: 'cosent',
    ...common,
    supportsRef: true,
    supportsTuples: false,
    labels: 'scores',
    terms: ({ embeddings, ref, labels }) => {
      const rows = embeddings.shape[0];
      if (ref === undefined || ref.shape[0] !== rows) {
        throw new Error(
          'cosent needs refEmbeddings with one row per embedding (pair i is row i of both), scores in labels',
        );
      }
      const scores = labels.dataSync();
      const ordered = new Float32Array(rows * rows);
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < rows; j++) if (scores[i] < scores[j]) ordered[i * rows + j] = 1;
      const sim = distance.pairwise(embeddings, ref);
      const s = (distance.isInverted ? sim : sim.neg()).mul(config.scale);
      const differences = s
        .expandDims(1)
        .sub(s.expandDims(0))
        .reshape([1, rows * rows]) as tf.Tensor2D;
      return {
        loss: {
          losses: maskedLogSumExp(differences, ordered, true).sum() as tf.Scalar,
          kind: 'already_reduced',
          indices: [],
        },
      };
    },
  });
}
