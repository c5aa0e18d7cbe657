import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Distance } from '../distances/index.ts';
import { allTriplets } from '../tuples.ts';
import { buildMiner, entries, type Miner, mean } from './base.ts';

/**
 * PML `TripletMarginMiner(margin=0.2, type_of_triplets='all')`. With triplet margin
 * m = d(a,n) - d(a,p) (sign flipped for similarities): all keeps m <= margin, hard m <= 0,
 * semihard 0 < m <= margin, easy m > margin.
 */
export const TripletMarginMinerConfigSchema = strictConfig({
  name: z.literal('triplet_margin'),
  margin: z.number().default(0.2),
  type_of_triplets: z.enum(['all', 'hard', 'semihard', 'easy']).default('all'),
});
export type TripletMarginMinerConfig = z.infer<typeof TripletMarginMinerConfigSchema>;

export function createTripletMarginMiner(config: TripletMarginMinerConfig, distance: Distance): Miner {
  const { margin, type_of_triplets: type } = config;
  const keep = (m: number) =>
    type === 'easy'
      ? m > margin
      : m <= margin && (type === 'hard' ? m <= 0 : type === 'semihard' ? m > 0 : true);
  return buildMiner('triplet_margin', distance, (table, sets) => {
    const all = allTriplets(sets);
    const ap = entries(table, all.a, all.p);
    const an = entries(table, all.a, all.n);
    const margins = ap.map((d, i) => (table.isInverted ? d - an[i] : an[i] - d));
    const kept: number[] = [];
    margins.forEach((m, i) => {
      if (keep(m)) kept.push(i);
    });
    const pick = (values: Int32Array) => Int32Array.from(kept, (i) => values[i]);
    return {
      tuple: { kind: 'triplets', a: pick(all.a), p: pick(all.p), n: pick(all.n) },
      stats: { pos_pair_dist: mean(ap), neg_pair_dist: mean(an), avg_triplet_margin: mean(margins) },
    };
  });
}
