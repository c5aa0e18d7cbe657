import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import { buildDistance, type Distance } from './base.ts';

/** PML `CosineSimilarity()`: the dot product of L2-normalised embeddings, larger means closer. */
export const CosineDistanceConfigSchema = strictConfig({
  name: z.literal('cosine'),
  power: z.number().positive().default(1),
});
export type CosineDistanceConfig = z.infer<typeof CosineDistanceConfigSchema>;

export function createCosineDistance(config: CosineDistanceConfig): Distance {
  return buildDistance({
    name: 'cosine',
    isInverted: true,
    normalizeEmbeddings: true,
    p: 2,
    power: config.power,
    rawMatrix: (q, r) => q.matMul(r, false, true) as tf.Tensor2D,
    rawPairwise: (a, b) => a.mul(b).sum(1) as tf.Tensor1D,
  });
}
