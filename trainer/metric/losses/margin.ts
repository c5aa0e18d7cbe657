import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { LossTerms } from '../reducers/index.ts';
import { gatherEntries } from '../tensor-ops.ts';
import { buildLoss, type MetricLoss } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';
import { createTripletSource, TripletsPerAnchorSchema } from './triplets-per-anchor.ts';

/**
 * Margin loss (Wu et al. 2017, "Sampling matters"), as PML `MarginLoss(margin=0.2, nu=0, beta=1.2,
 * triplets_per_anchor='all', learn_beta=False, num_classes=None)`: per triplet
 * [d(a,p) - beta + margin]+ + [beta - d(a,n) + margin]+, summed and divided by the number of non-zero
 * pair terms (reducer divisor). beta is one number, or one per class with num_classes; with learn_beta it
 * is the learnable parameter `beta` and nu × beta is added as a regulariser. Default distance normalised
 * Euclidean. Pair it with the distance_weighted miner for the paper's setting.
 */
export const MarginLossConfigSchema = lossSchema(z.literal('margin'), {
  margin: z.number().default(0.2),
  nu: z.number().nonnegative().default(0),
  beta: z.number().default(1.2),
  triplets_per_anchor: TripletsPerAnchorSchema,
  learn_beta: z.boolean().default(false),
  num_classes: z.number().int().positive().nullable().default(null),
  seed: z.number().int().min(0).default(0),
});
export type MarginLossConfig = z.infer<typeof MarginLossConfigSchema>;

export function createMarginLoss(config: MarginLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'lp' }, reducer: { name: 'divisor' } });
  const { distance } = common;
  const triplets = createTripletSource(config.triplets_per_anchor, config.seed);
  const size = config.num_classes ?? 1;
  const learned = config.learn_beta ? variableFilled(size, config.beta) : undefined;
  return buildLoss({
    name: 'margin',
    ...common,
    parameters: learned ? { beta: learned } : {},
    supportsRef: true,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, ref, sets, tuple }): LossTerms => {
      const { a, p, n } = triplets(sets, tuple);
      if (a.length === 0) {
        return {
          margin_loss: { losses: null, kind: 'triplet', indices: [a, p, n] },
          beta_reg_loss: { losses: null, kind: 'already_reduced', indices: [] },
        };
      }
      const anchorLabels = Int32Array.from(a, (i) => sets.labels[i]);
      for (const label of anchorLabels) {
        if (size > 1 && label >= size)
          throw new Error(`margin has num_classes ${size} but saw label ${label}`);
      }
      const beta = learned ?? tf.fill([size], config.beta);
      const betas = size === 1 ? beta : tf.gather(beta, anchorLabels);
      const mat = distance.matrix(embeddings, ref);
      const posLoss = tf.relu(distance.margin(gatherEntries(mat, a, p), betas).add(config.margin));
      const negLoss = tf.relu(distance.margin(betas, gatherEntries(mat, a, n)).add(config.margin));
      // PML's divisor: how many of the pair terms are active, counted on the device (see LossTerm) with
      // tf.step, whose gradient is zero (greater has none).
      const divisor = tf.step(posLoss).sum().add(tf.step(negLoss).sum()) as tf.Scalar;
      const regularizer = betas.mul(config.nu) as tf.Tensor1D;
      return {
        margin_loss: {
          losses: posLoss.add(negLoss) as tf.Tensor1D,
          kind: 'triplet',
          indices: [a, p, n],
          divisor,
        },
        beta_reg_loss: !config.learn_beta
          ? { losses: null, kind: 'already_reduced', indices: [] }
          : size === 1
            ? { losses: regularizer.sum() as tf.Scalar, kind: 'already_reduced', indices: [] }
            : { losses: regularizer, kind: 'element', indices: [a], divisor },
      };
    },
  });
}

function variableFilled(size: number, value: number): tf.Variable {
  const initial = tf.fill([size], value);
  const variable = tf.variable(initial);
  initial.dispose();
  return variable;
}
