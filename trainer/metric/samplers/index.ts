import { z } from 'zod';
import { parseConfig } from '../config.ts';
import { readLabels } from '../labels.ts';
import type { Sampler } from './base.ts';
import { ClassBalancedSamplerConfigSchema, createClassBalancedSampler } from './class-balanced.ts';
import { createMPerClassSampler, MPerClassSamplerConfigSchema } from './m-per-class.ts';
import { createPairSampler, PairSamplerConfigSchema } from './pairs.ts';
import { createTripletSampler, TripletSamplerConfigSchema } from './triplets.ts';

export type { Sampler } from './base.ts';
export { sampledTriplets } from './triplets.ts';

export const SamplerConfigSchema = z.discriminatedUnion('name', [
  MPerClassSamplerConfigSchema,
  ClassBalancedSamplerConfigSchema,
  PairSamplerConfigSchema,
  TripletSamplerConfigSchema,
]);
export type SamplerConfig = z.infer<typeof SamplerConfigSchema>;
export type SamplerConfigInput = z.input<typeof SamplerConfigSchema>;

/**
 * A sampler over a dataset's labels: class labels for m_per_class, class_balanced and triplets; one key
 * per pair row for pairs.
 */
export function createSampler(input: SamplerConfigInput, labels: Int32Array | readonly number[]): Sampler {
  const config = parseConfig('sampler', SamplerConfigSchema, input);
  const values = readLabels(labels);
  switch (config.name) {
    case 'm_per_class':
      return createMPerClassSampler(config, values);
    case 'class_balanced':
      return createClassBalancedSampler(config, values);
    case 'pairs':
      return createPairSampler(config, values);
    case 'triplets':
      return createTripletSampler(config, values);
  }
}
