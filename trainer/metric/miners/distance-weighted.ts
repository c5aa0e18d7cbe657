import { z } from 'zod';
import { createRandom } from '../../../shared/random.ts';
import { strictConfig } from '../config.ts';
import type { Distance } from '../distances/index.ts';
import { randomTriplets } from '../tuples.ts';
import { buildMiner, entries, type Miner, mean } from './base.ts';

/**
 * PML `DistanceWeightedMiner(cutoff=0.5, nonzero_loss_cutoff=1.4)` (Wu et al. 2017, "Sampling matters in
 * deep embedding learning"). On the unit sphere in dimension n, pairwise distances have density
 * q(d) ∝ d^(n-2) (1 - d²/4)^((n-3)/2); each anchor gets one random positive and one negative drawn with
 * probability ∝ 1/q(max(d, cutoff)), never beyond nonzero_loss_cutoff. Needs PML's default distance,
 * normalised Euclidean (lp, p 2, power 1). Draws come from a seeded stream owned by the miner.
 * PML shifts the log weights by one global maximum; the row maximum used here gives the same distribution.
 */
export const DistanceWeightedMinerConfigSchema = strictConfig({
  name: z.literal('distance_weighted'),
  cutoff: z.number().nonnegative().default(0.5),
  nonzero_loss_cutoff: z.number().positive().default(1.4),
  seed: z.number().int().min(0).default(0),
});
export type DistanceWeightedMinerConfig = z.infer<typeof DistanceWeightedMinerConfigSchema>;

export function createDistanceWeightedMiner(config: DistanceWeightedMinerConfig, distance: Distance): Miner {
  if (distance.name !== 'lp' || distance.p !== 2 || distance.power !== 1 || !distance.normalizeEmbeddings) {
    throw new Error(
      'distance_weighted needs the normalised Euclidean distance { name: "lp", p: 2, power: 1 }',
    );
  }
  const random = createRandom(config.seed);
  return buildMiner('distance_weighted', distance, (table, sets, dim) => {
    const weights = new Float64Array(table.rows * table.cols);
    for (let i = 0; i < table.rows; i++) {
      const logWeights = new Float64Array(table.cols).fill(Number.NEGATIVE_INFINITY);
      let rowMax = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < table.cols; j++) {
        const d = Math.max(table.values[i * table.cols + j], config.cutoff);
        if (sets.labels[i] === sets.refLabels[j] || d >= config.nonzero_loss_cutoff) continue;
        const logWeight = (2 - dim) * Math.log(d) - ((dim - 3) / 2) * Math.log(1 - 0.25 * d * d);
        if (!Number.isFinite(logWeight)) continue;
        logWeights[j] = logWeight;
        rowMax = Math.max(rowMax, logWeight);
      }
      for (let j = 0; j < table.cols; j++) weights[i * table.cols + j] = Math.exp(logWeights[j] - rowMax);
    }
    const tuple = randomTriplets(sets, 1, random, weights);
    return { tuple, stats: { neg_pair_dist: mean(entries(table, tuple.a, tuple.n)) } };
  });
}
