import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { safeRoot } from '../tensor-ops.ts';
import type { MetricLoss } from './base.ts';
import { createLargeMarginSoftmaxLoss, largeMarginFields } from './large-margin-softmax.ts';
import { lossSchema } from './schema.ts';

/**
 * ArcFace (Deng et al. 2019), as PML `ArcFaceLoss(num_classes, embedding_size, margin=28.6, scale=64)`:
 * the target logit is cos(θ + margin) with the margin in degrees. Computed as
 * cos θ cos m - sin θ sin m with sin θ = √(1 - cos²θ), equal to PML's cos(acos(cos θ) + m) for θ in [0, π]
 * but with a finite gradient where cos θ = ±1.
 */
export const ArcFaceLossConfigSchema = lossSchema(z.literal('arcface'), {
  ...largeMarginFields,
  margin: z.number().min(0).max(90).default(28.6),
});
export type ArcFaceLossConfig = z.infer<typeof ArcFaceLossConfigSchema>;

export function createArcFaceLoss(config: ArcFaceLossConfig): MetricLoss {
  const radians = (config.margin * Math.PI) / 180;
  return createLargeMarginSoftmaxLoss('arcface', config, (cosine) => {
    const clipped = cosine.clipByValue(-1, 1);
    const sine = safeRoot(tf.sub(1, clipped.square()), 2);
    return clipped.mul(Math.cos(radians)).sub(sine.mul(Math.sin(radians))) as tf.Tensor1D;
  });
}
