import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import { buildDistance, type Distance } from './base.ts';

/**
 * PML `DotProductSimilarity()`: q·r, larger means closer. Like every PML distance it L2-normalises the
 * embeddings by default (then it equals cosine); set normalize_embeddings false for the raw dot product.
 */
export const DotDistanceConfigSchema = strictConfig({
  name: z.literal('dot'),
  power: z.number().positive().default(1),
  normalize_embeddings: z.boolean().default(true),
});
export type DotDistanceConfig = z.infer<typeof DotDistanceConfigSchema>;

export function createDotDistance(config: DotDistanceConfig): Distance {
  return buildDistance({
    name: 'dot',
    isInverted: true,
    normalizeEmbeddings: config.normalize_embeddings,
    p: 2,
    power: config.power,
    rawMatrix: (q, r) => q.matMul(r, false, true) as tf.Tensor2D,
    rawPairwise: (a, b) => a.mul(b).sum(1) as tf.Tensor1D,
  });
}
