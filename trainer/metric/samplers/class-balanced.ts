import { z } from 'zod';
import { createRandom, deriveSeed } from '../../../shared/random.ts';
import { strictConfig } from '../config.ts';
import { rowsByLabel, type Sampler } from './base.ts';

/**
 * Class-balanced sampling for imbalanced data: rows drawn with replacement with probability proportional
 * to count(class)^-power, so with power 1 (inverse frequency, torch `WeightedRandomSampler` with weights
 * 1/count) every class is equally likely; power 0.5 is the milder square-root balancing. An epoch is length
 * rows, rounded down to whole batches.
 */
export const ClassBalancedSamplerConfigSchema = strictConfig({
  name: z.literal('class_balanced'),
  batch_size: z.number().int().min(1),
  length: z.number().int().min(1).default(100_000),
  power: z.number().min(0).default(1),
  seed: z.number().int().min(0).default(0),
});
export type ClassBalancedSamplerConfig = z.infer<typeof ClassBalancedSamplerConfigSchema>;

export function createClassBalancedSampler(config: ClassBalancedSamplerConfig, labels: Int32Array): Sampler {
  if (labels.length === 0) throw new Error('class_balanced: no rows to sample');
  const groups = rowsByLabel(labels);
  const cumulative = new Float64Array(labels.length);
  let total = 0;
  labels.forEach((label, row) => {
    total += groups.get(label)!.length ** -config.power;
    cumulative[row] = total;
  });
  const batches = Math.floor(config.length / config.batch_size);
  const draw = (u: number) => {
    // First row whose cumulative weight exceeds u (binary search).
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] > u) high = mid;
      else low = mid + 1;
    }
    return low;
  };
  return {
    name: 'class_balanced',
    batchSize: config.batch_size,
    epoch(epoch) {
      const random = createRandom(deriveSeed(config.seed, epoch));
      return Array.from({ length: batches }, () =>
        Int32Array.from({ length: config.batch_size }, () => draw(random.next() * total)),
      );
    },
  };
}
