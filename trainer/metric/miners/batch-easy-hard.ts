import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Distance } from '../distances/index.ts';
import { allPairs } from '../tuples.ts';
import { buildMiner, closer, entries, type Miner, mean } from './base.ts';
import { extreme } from './batch-hard.ts';

const Strategy = z.enum(['easy', 'semihard', 'hard', 'all']);
const Range = z.tuple([z.number(), z.number()]).nullable();

/**
 * PML `BatchEasyHardMiner(pos_strategy='easy', neg_strategy='semihard', allowed_pos_range=None,
 * allowed_neg_range=None)` (Xuan et al. 2020, "Improved embeddings with easy positive triplet mining").
 * Per anchor: an easy positive is the closest, a hard one the farthest; a hard negative is the closest, an
 * easy one the farthest. Semihard picks, on one side, the hardest among those still on the right side of
 * the other side's pick (a positive closer than the negative, or a negative farther than the positive).
 * 'all' keeps every pair of that side. Ranges keep only values within [low, high].
 * Unlike PML, masked entries never win a max (PML's mask-by-multiplying lets a 0 beat negative similarities).
 */
export const BatchEasyHardMinerConfigSchema = strictConfig({
  name: z.literal('batch_easy_hard'),
  pos_strategy: Strategy.default('easy'),
  neg_strategy: Strategy.default('semihard'),
  allowed_pos_range: Range.default(null),
  allowed_neg_range: Range.default(null),
})
  .refine((c) => !(c.pos_strategy === 'semihard' && c.neg_strategy === 'semihard'), {
    message: 'pos_strategy and neg_strategy cannot both be "semihard"',
  })
  .refine(
    (c) =>
      !(
        [c.pos_strategy, c.neg_strategy].includes('semihard') &&
        [c.pos_strategy, c.neg_strategy].includes('all')
      ),
    { message: '"semihard" cannot be used in combination with "all"' },
  );
export type BatchEasyHardMinerConfig = z.infer<typeof BatchEasyHardMinerConfigSchema>;

export function createBatchEasyHardMiner(config: BatchEasyHardMinerConfig, distance: Distance): Miner {
  const { pos_strategy: posStrategy, neg_strategy: negStrategy } = config;
  const inRange = (value: number, range: [number, number] | null) =>
    range === null || (value >= range[0] && value <= range[1]);

  return buildMiner('batch_easy_hard', distance, (table, sets) => {
    const at = (i: number, j: number) => table.values[i * table.cols + j];
    const isPos = (i: number, j: number) =>
      sets.labels[i] === sets.refLabels[j] && !(sets.sameSet && i === j);
    const isNeg = (i: number, j: number) => sets.labels[i] !== sets.refLabels[j];

    const pickPositive = (i: number, negative: number) =>
      extreme(
        table,
        i,
        (j) =>
          isPos(i, j) &&
          inRange(at(i, j), config.allowed_pos_range) &&
          (negative < 0 || closer(table, at(i, j), at(i, negative))),
        posStrategy === 'easy' ? 'closest' : 'farthest',
      );
    const pickNegative = (i: number, positive: number) =>
      extreme(
        table,
        i,
        (j) =>
          isNeg(i, j) &&
          inRange(at(i, j), config.allowed_neg_range) &&
          (positive < 0 || closer(table, at(i, positive), at(i, j))),
        negStrategy === 'easy' ? 'farthest' : 'closest',
      );

    const pairs = allPairs(sets);
    const chosenPos = new Int32Array(table.rows).fill(-1);
    const chosenNeg = new Int32Array(table.rows).fill(-1);
    for (let i = 0; i < table.rows; i++) {
      if (posStrategy === 'semihard') {
        chosenNeg[i] = pickNegative(i, -1);
        chosenPos[i] = chosenNeg[i] < 0 ? -1 : pickPositive(i, chosenNeg[i]);
      } else if (negStrategy === 'semihard') {
        chosenPos[i] = pickPositive(i, -1);
        chosenNeg[i] = chosenPos[i] < 0 ? -1 : pickNegative(i, chosenPos[i]);
      } else {
        if (posStrategy !== 'all') chosenPos[i] = pickPositive(i, -1);
        if (negStrategy !== 'all') chosenNeg[i] = pickNegative(i, -1);
      }
    }

    const rows = Array.from({ length: table.rows }, (_, i) => i);
    const bothSides = posStrategy !== 'all' && negStrategy !== 'all';
    const keepPos = rows.filter((i) => chosenPos[i] >= 0 && (!bothSides || chosenNeg[i] >= 0));
    const keepNeg = rows.filter((i) => chosenNeg[i] >= 0 && (!bothSides || chosenPos[i] >= 0));
    const a1 = posStrategy === 'all' ? pairs.a1 : Int32Array.from(keepPos);
    const p = posStrategy === 'all' ? pairs.p : Int32Array.from(keepPos, (i) => chosenPos[i]);
    const a2 = negStrategy === 'all' ? pairs.a2 : Int32Array.from(keepNeg);
    const n = negStrategy === 'all' ? pairs.n : Int32Array.from(keepNeg, (i) => chosenNeg[i]);
    return {
      tuple: { kind: 'pairs', a1, p, a2, n },
      stats: {
        mean_pos_pair_dist: mean(entries(table, a1, p)),
        mean_neg_pair_dist: mean(entries(table, a2, n)),
      },
    };
  });
}
