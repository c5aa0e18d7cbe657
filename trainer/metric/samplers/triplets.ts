import { z } from 'zod';
import { createRandom, deriveSeed } from '../../../shared/random.ts';
import { strictConfig } from '../config.ts';
import type { TripletTuple } from '../tuples.ts';
import { rowsByLabel, type Sampler } from './base.ts';

/**
 * Random triplets of rows: an anchor from a class with at least two rows, a positive from its class and a
 * negative from another, uniformly. Each batch is [a0, p0, n0, a1, p1, n1, ...] (3 × batch_size rows);
 * `sampledTriplets` gives the matching indices tuple, to train on exactly these triplets. Data given as
 * pairs becomes labels by giving both rows of a pair the pair's id.
 */
export const TripletSamplerConfigSchema = strictConfig({
  name: z.literal('triplets'),
  /** Triplets per batch. */
  batch_size: z.number().int().min(1),
  /** Triplets per epoch, rounded down to whole batches. */
  length: z.number().int().min(1).default(100_000),
  seed: z.number().int().min(0).default(0),
});
export type TripletSamplerConfig = z.infer<typeof TripletSamplerConfigSchema>;

export function createTripletSampler(config: TripletSamplerConfig, labels: Int32Array): Sampler {
  const groups = rowsByLabel(labels);
  const anchors = [...labels.keys()].filter((row) => groups.get(labels[row])!.length >= 2);
  if (anchors.length === 0 || groups.size < 2) {
    throw new Error('triplets: needs a class with two rows and at least two classes');
  }
  const batches = Math.floor(config.length / config.batch_size);
  return {
    name: 'triplets',
    batchSize: config.batch_size,
    epoch(epoch) {
      const random = createRandom(deriveSeed(config.seed, epoch));
      return Array.from({ length: batches }, () => {
        const batch = new Int32Array(config.batch_size * 3);
        for (let t = 0; t < config.batch_size; t++) {
          const anchor = anchors[random.int(anchors.length)];
          const same = groups.get(labels[anchor])!;
          // Skip the anchor itself by drawing among the other rows of its class.
          let positive = same[random.int(same.length - 1)];
          if (positive === anchor) positive = same[same.length - 1];
          let negative = random.int(labels.length);
          while (labels[negative] === labels[anchor]) negative = random.int(labels.length);
          batch.set([anchor, positive, negative], t * 3);
        }
        return batch;
      });
    },
  };
}

/** The indices tuple of a triplet batch laid out as [a0, p0, n0, a1, ...]. */
export function sampledTriplets(triplets: number): TripletTuple {
  const at = (offset: number) => Int32Array.from({ length: triplets }, (_, t) => t * 3 + offset);
  return { kind: 'triplets', a: at(0), p: at(1), n: at(2) };
}
