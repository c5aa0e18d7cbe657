import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { LossTerm } from '../reducers/index.ts';
import { lpNorm } from '../tensor-ops.ts';

/**
 * PML `LpRegularizer(p=2, power=1)` used as a loss's `embedding_regularizer` with
 * `embedding_reg_weight` = weight: weight × mean over the batch of ||x||_p^power, on the embeddings as
 * given (before any distance normalises them). Keeps raw embedding norms from drifting.
 */
export const LpRegularizerConfigSchema = strictConfig({
  name: z.literal('lp'),
  p: z.number().min(1).default(2),
  power: z.number().positive().default(1),
  weight: z.number().nonnegative().default(1),
});
export type LpRegularizerConfig = z.infer<typeof LpRegularizerConfigSchema>;

export type EmbeddingRegularizer = (embeddings: tf.Tensor2D) => LossTerm;

export function createLpRegularizer(config: LpRegularizerConfig): EmbeddingRegularizer {
  return (embeddings) => {
    const norms = lpNorm(embeddings, config.p);
    const raised = config.power === 1 ? norms : norms.pow(config.power);
    return { losses: raised.mean().mul(config.weight) as tf.Scalar, kind: 'already_reduced', indices: [] };
  };
}
