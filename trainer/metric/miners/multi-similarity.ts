import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Distance } from '../distances/index.ts';
import { buildMiner, closer, entries, type Miner, mean } from './base.ts';

/**
 * PML `MultiSimilarityMiner(epsilon=0.1)` (Wang et al. 2019), default distance cosine. For similarities:
 * a negative is kept when s(a,n) + epsilon > the anchor's smallest positive similarity, a positive when
 * s(a,p) - epsilon < the anchor's largest negative similarity (mirrored for distances).
 */
export const MultiSimilarityMinerConfigSchema = strictConfig({
  name: z.literal('multi_similarity'),
  epsilon: z.number().default(0.1),
});
export type MultiSimilarityMinerConfig = z.infer<typeof MultiSimilarityMinerConfigSchema>;

export function createMultiSimilarityMiner(config: MultiSimilarityMinerConfig, distance: Distance): Miner {
  const { epsilon } = config;
  return buildMiner('multi_similarity', distance, (table, sets) => {
    // "Harder" moves a value toward the other side: a positive farther, a negative closer.
    const sign = table.isInverted ? -1 : 1;
    const a1: number[] = [];
    const p: number[] = [];
    const a2: number[] = [];
    const n: number[] = [];
    for (let i = 0; i < table.rows; i++) {
      const positives: number[] = [];
      const negatives: number[] = [];
      for (let j = 0; j < table.cols; j++) {
        if (sets.labels[i] !== sets.refLabels[j]) negatives.push(j);
        else if (!(sets.sameSet && i === j)) positives.push(j);
      }
      if (positives.length === 0 || negatives.length === 0) continue;
      const at = (j: number) => table.values[i * table.cols + j];
      const hardestPositive = positives.reduce((best, j) => (closer(table, at(best), at(j)) ? j : best));
      const hardestNegative = negatives.reduce((best, j) => (closer(table, at(j), at(best)) ? j : best));
      for (const j of negatives) {
        if (closer(table, at(j) - sign * epsilon, at(hardestPositive))) {
          a2.push(i);
          n.push(j);
        }
      }
      for (const j of positives) {
        if (closer(table, at(hardestNegative), at(j) + sign * epsilon)) {
          a1.push(i);
          p.push(j);
        }
      }
    }
    const tuple = {
      kind: 'pairs' as const,
      a1: Int32Array.from(a1),
      p: Int32Array.from(p),
      a2: Int32Array.from(a2),
      n: Int32Array.from(n),
    };
    return {
      tuple,
      stats: {
        mean_pos_pair_dist: mean(entries(table, tuple.a1, tuple.p)),
        mean_neg_pair_dist: mean(entries(table, tuple.a2, tuple.n)),
      },
    };
  });
}
