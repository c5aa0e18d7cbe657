import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Distance } from '../distances/index.ts';
import { allPairs, type PairTuple } from '../tuples.ts';
import { buildMiner, closer, entries, type Miner, mean } from './base.ts';

/**
 * PML `PairMarginMiner(pos_margin=0.2, neg_margin=0.8)`: positive pairs farther than pos_margin and
 * negative pairs closer than neg_margin (for similarities: below pos_margin, above neg_margin).
 */
export const PairMarginMinerConfigSchema = strictConfig({
  name: z.literal('pair_margin'),
  pos_margin: z.number().default(0.2),
  neg_margin: z.number().default(0.8),
});
export type PairMarginMinerConfig = z.infer<typeof PairMarginMinerConfigSchema>;

export function createPairMarginMiner(config: PairMarginMinerConfig, distance: Distance): Miner {
  return buildMiner('pair_margin', distance, (table, sets) => {
    const all = allPairs(sets);
    const pos = entries(table, all.a1, all.p);
    const neg = entries(table, all.a2, all.n);
    const keepPos = indicesWhere(pos, (d) => closer(table, config.pos_margin, d));
    const keepNeg = indicesWhere(neg, (d) => closer(table, d, config.neg_margin));
    const tuple: PairTuple = {
      kind: 'pairs',
      a1: Int32Array.from(keepPos, (i) => all.a1[i]),
      p: Int32Array.from(keepPos, (i) => all.p[i]),
      a2: Int32Array.from(keepNeg, (i) => all.a2[i]),
      n: Int32Array.from(keepNeg, (i) => all.n[i]),
    };
    return { tuple, stats: { pos_pair_dist: mean(pos), neg_pair_dist: mean(neg) } };
  });
}

function indicesWhere(values: Float64Array, test: (v: number) => boolean): number[] {
  const out: number[] = [];
  values.forEach((v, i) => {
    if (test(v)) out.push(i);
  });
  return out;
}
