import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { gatherEntries } from '../tensor-ops.ts';
import { buildLoss, type MetricLoss, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';
import { createTripletSource, TripletsPerAnchorSchema } from './triplets-per-anchor.ts';

/**
 * Triplet margin loss (Weinberger & Saul 2009; Schroff et al. 2015), as PML
 * `TripletMarginLoss(margin=0.05, swap=False, smooth_loss=False, triplets_per_anchor='all')`:
 * [d(a,p) - d(a,n) + margin]+ per triplet (softplus when smooth_loss), reduced by avg_non_zero; default
 * distance normalised Euclidean. `swap` (Balntas et al. 2016) uses d(p,n) when it is closer than d(a,n);
 * with refEmbeddings, d(p,n) is measured between the two reference rows (PML indexes the wrong matrix there).
 */
export const TripletMarginLossConfigSchema = lossSchema(z.literal('triplet_margin'), {
  margin: z.number().default(0.05),
  swap: z.boolean().default(false),
  smooth_loss: z.boolean().default(false),
  triplets_per_anchor: TripletsPerAnchorSchema,
  /** Seeds the random triplets when triplets_per_anchor is a number. */
  seed: z.number().int().min(0).default(0),
});
export type TripletMarginLossConfig = z.infer<typeof TripletMarginLossConfigSchema>;

export function createTripletMarginLoss(config: TripletMarginLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'lp' }, reducer: { name: 'avg_non_zero' } });
  const { distance } = common;
  const triplets = createTripletSource(config.triplets_per_anchor, config.seed);
  return buildLoss({
    name: 'triplet_margin',
    ...common,
    supportsRef: true,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, ref, sets, tuple }) => {
      const { a, p, n } = triplets(sets, tuple);
      return {
        loss: tupleTerm('triplet', [a, p, n], () => {
          const mat = distance.matrix(embeddings, ref);
          const ap = gatherEntries(mat, a, p);
          let an: tf.Tensor = gatherEntries(mat, a, n);
          if (config.swap) {
            const pn = gatherEntries(ref === undefined ? mat : distance.matrix(ref), p, n);
            an = distance.closest(an, pn);
          }
          const violation = distance.margin(ap, an).add(config.margin);
          return (config.smooth_loss ? tf.softplus(violation) : tf.relu(violation)) as tf.Tensor1D;
        }),
      };
    },
  });
}
