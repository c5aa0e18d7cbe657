import { z } from 'zod';
import { deriveSeed, mulberry32, shuffle } from '../../../shared/random.ts';
import { strictConfig } from '../config.ts';
import type { Sampler } from './base.ts';

/**
 * For data given as pairs or graded pairs (one row per pair): every row once per epoch in shuffled batches,
 * with no two rows of a batch sharing a key (sentence-transformers' NoDuplicatesBatchSampler). With in-batch
 * negatives (multiple_negatives_ranking) a repeated anchor or positive would be a false negative, so give
 * rows the same key when they share a text or a class. Rows that would clash wait for a later batch.
 */
export const PairSamplerConfigSchema = strictConfig({
  name: z.literal('pairs'),
  batch_size: z.number().int().min(1),
  drop_last: z.boolean().default(true),
  seed: z.number().int().min(0).default(0),
});
export type PairSamplerConfig = z.infer<typeof PairSamplerConfigSchema>;

/** `keys` holds one key per pair row. */
export function createPairSampler(config: PairSamplerConfig, keys: Int32Array): Sampler {
  const size = config.batch_size;
  return {
    name: 'pairs',
    batchSize: size,
    epoch(epoch) {
      let remaining = Array.from({ length: keys.length }, (_, row) => row);
      shuffle(remaining, mulberry32(deriveSeed(config.seed, epoch)));
      const batches: Int32Array[] = [];
      while (remaining.length > 0) {
        const batch: number[] = [];
        const used = new Set<number>();
        const rest: number[] = [];
        for (const row of remaining) {
          if (batch.length < size && !used.has(keys[row])) {
            batch.push(row);
            used.add(keys[row]);
          } else {
            rest.push(row);
          }
        }
        if (batch.length < size && config.drop_last) break;
        batches.push(Int32Array.from(batch));
        remaining = rest;
      }
      return batches;
    },
  };
}
