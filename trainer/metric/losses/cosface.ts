import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { MetricLoss } from './base.ts';
import { createLargeMarginSoftmaxLoss, largeMarginFields } from './large-margin-softmax.ts';
import { lossSchema } from './schema.ts';

/** CosFace (Wang et al. 2018), as PML `CosFaceLoss(num_classes, embedding_size, margin=0.35, scale=64)`: the target logit is cos θ - margin. */
export const CosFaceLossConfigSchema = lossSchema(z.literal('cosface'), {
  ...largeMarginFields,
  margin: z.number().default(0.35),
});
export type CosFaceLossConfig = z.infer<typeof CosFaceLossConfigSchema>;

export function createCosFaceLoss(config: CosFaceLossConfig): MetricLoss {
  return createLargeMarginSoftmaxLoss(
    'cosface',
    config,
    (cosine) => cosine.sub(config.margin) as tf.Tensor1D,
  );
}
