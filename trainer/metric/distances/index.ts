import { z } from 'zod';
import { parseConfig } from '../config.ts';
import type { Distance } from './base.ts';
import { CosineDistanceConfigSchema, createCosineDistance } from './cosine.ts';
import { createDotDistance, DotDistanceConfigSchema } from './dot.ts';
import { createLpDistance, LpDistanceConfigSchema } from './lp.ts';

export type { Distance } from './base.ts';

export const DistanceConfigSchema = z.discriminatedUnion('name', [
  LpDistanceConfigSchema,
  CosineDistanceConfigSchema,
  DotDistanceConfigSchema,
]);
export type DistanceConfig = z.infer<typeof DistanceConfigSchema>;
export type DistanceConfigInput = z.input<typeof DistanceConfigSchema>;

export function createDistance(input: DistanceConfigInput): Distance {
  const config = parseConfig('distance', DistanceConfigSchema, input);
  switch (config.name) {
    case 'lp':
      return createLpDistance(config);
    case 'cosine':
      return createCosineDistance(config);
    case 'dot':
      return createDotDistance(config);
  }
}
