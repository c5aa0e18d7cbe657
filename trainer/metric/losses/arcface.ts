import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { safeRoot } from '../tensor-ops.ts';
import type { MetricLoss } from './base.ts';
import { createLargeMarginSoftmaxLoss, largeMarginFields } from './large-margin-softmax.ts';
import { lossSchema } from './schema.ts';

/**
 * ArcFace (Deng et al. 2019), as PML 2.x `ArcFaceLoss(num_classes, embedding_size, margin=28.6, scale=64)`:
 * the target logit is cos(θ + m) with the margin m given in degrees, and, as in PML, cos θ - m·sin m where
 * θ > π - m, so that the logit keeps falling as θ grows (cos(θ + m) would rise again past π - m).
 * cos(θ + m) is computed as cos θ cos m - sin θ sin m with sin θ = √(1 - cos²θ), equal to PML's
 * cos(acos(cos θ) + m) for θ in [0, π] but with a finite gradient where cos θ = ±1.
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
    const withAngle = clipped.mul(Math.cos(radians)).sub(sine.mul(Math.sin(radians)));
    // θ <= π - m  <=>  cos θ >= cos(π - m) = -cos m.
    const beforeTurn = clipped.greaterEqual(-Math.cos(radians));
    return tf.where(beforeTurn, withAngle, clipped.sub(radians * Math.sin(radians))) as tf.Tensor1D;
  });
}
