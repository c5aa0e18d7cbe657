import { z } from 'zod';
import { createRandom, deriveSeed, type Random, shuffle } from '../../../shared/random.ts';
import { strictConfig } from '../config.ts';
import { rowsByLabel, type Sampler } from './base.ts';

/**
 * PML `MPerClassSampler(labels, m, batch_size, length_before_new_iter=100000)`: every batch holds
 * batch_size / m classes with m rows each (drawn without replacement when the class has m rows, with
 * replacement otherwise), so every anchor has positives. An epoch is length rows, rounded down to whole
 * batches. Needs batch_size divisible by m and m × classes >= batch_size.
 */
export const MPerClassSamplerConfigSchema = strictConfig({
  name: z.literal('m_per_class'),
  m: z.number().int().min(1),
  batch_size: z.number().int().min(1),
  length: z.number().int().min(1).default(100_000),
  seed: z.number().int().min(0).default(0),
}).refine((c) => c.batch_size % c.m === 0, { message: 'm must divide batch_size' });
export type MPerClassSamplerConfig = z.infer<typeof MPerClassSamplerConfigSchema>;

export function createMPerClassSampler(config: MPerClassSamplerConfig, labels: Int32Array): Sampler {
  const { m, batch_size: batchSize } = config;
  const groups = rowsByLabel(labels);
  const classes = [...groups.keys()];
  if (m * classes.length < batchSize) {
    throw new Error(
      `m_per_class: m (${m}) × classes (${classes.length}) must be >= batch_size (${batchSize})`,
    );
  }
  if (config.length < batchSize) throw new Error('m_per_class: length must be >= batch_size');
  const batches = Math.floor(config.length / batchSize);
  return {
    name: 'm_per_class',
    batchSize,
    epoch(epoch) {
      const random = createRandom(deriveSeed(config.seed, epoch));
      const order = classes.slice();
      return Array.from({ length: batches }, () => {
        shuffle(order, random.next);
        const batch = new Int32Array(batchSize);
        order.slice(0, batchSize / m).forEach((label, c) => {
          batch.set(choose(groups.get(label)!, m, random), c * m);
        });
        return batch;
      });
    },
  };
}

/** PML `safe_random_choice`: `count` rows without replacement when there are enough, else with. */
function choose(rows: number[], count: number, random: Random): number[] {
  if (rows.length < count) return Array.from({ length: count }, () => rows[random.int(rows.length)]);
  const copy = rows.slice();
  shuffle(copy, random.next);
  return copy.slice(0, count);
}
