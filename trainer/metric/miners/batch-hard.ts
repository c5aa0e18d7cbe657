import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Distance } from '../distances/index.ts';
import { buildMiner, closer, type DistanceTable, type Miner, mean } from './base.ts';

/**
 * PML `BatchHardMiner()` (Hermans et al. 2017): for every anchor with a positive and a negative, the
 * farthest positive and the closest negative, as one triplet.
 */
export const BatchHardMinerConfigSchema = strictConfig({ name: z.literal('batch_hard') });
export type BatchHardMinerConfig = z.infer<typeof BatchHardMinerConfigSchema>;

export function createBatchHardMiner(distance: Distance): Miner {
  return buildMiner('batch_hard', distance, (table, sets) => {
    const a: number[] = [];
    const p: number[] = [];
    const n: number[] = [];
    const posDists: number[] = [];
    const negDists: number[] = [];
    for (let i = 0; i < table.rows; i++) {
      const positive = extreme(
        table,
        i,
        (j) => sets.labels[i] === sets.refLabels[j] && !(sets.sameSet && i === j),
        'farthest',
      );
      const negative = extreme(table, i, (j) => sets.labels[i] !== sets.refLabels[j], 'closest');
      if (positive < 0 || negative < 0) continue;
      a.push(i);
      p.push(positive);
      n.push(negative);
      posDists.push(table.values[i * table.cols + positive]);
      negDists.push(table.values[i * table.cols + negative]);
    }
    return {
      tuple: { kind: 'triplets', a: Int32Array.from(a), p: Int32Array.from(p), n: Int32Array.from(n) },
      stats: { mean_hardest_pos_dist: mean(posDists), mean_hardest_neg_dist: mean(negDists) },
    };
  });
}

/** The column of row i, among those `allowed`, that is closest or farthest; -1 when none is allowed. */
export function extreme(
  table: DistanceTable,
  row: number,
  allowed: (col: number) => boolean,
  which: 'closest' | 'farthest',
): number {
  let best = -1;
  for (let j = 0; j < table.cols; j++) {
    if (!allowed(j)) continue;
    if (best < 0) {
      best = j;
      continue;
    }
    const value = table.values[row * table.cols + j];
    const current = table.values[row * table.cols + best];
    if (which === 'closest' ? closer(table, value, current) : closer(table, current, value)) best = j;
  }
  return best;
}
