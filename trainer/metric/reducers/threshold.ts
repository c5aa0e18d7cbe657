import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Reducer } from './base.ts';

/**
 * PML `ThresholdReducer(low, high)`: the mean of the losses strictly between low and high, 0 when none is.
 * `avg_non_zero` is the same with low = 0 (PML `AvgNonZeroReducer`): the mean over tuples that still
 * violate their margin, so the loss does not shrink just because most tuples are already satisfied.
 */
export const ThresholdReducerConfigSchema = strictConfig({
  name: z.literal('threshold'),
  low: z.number().optional(),
  high: z.number().optional(),
}).refine((c) => c.low !== undefined || c.high !== undefined, 'threshold needs low, high or both');
export type ThresholdReducerConfig = z.infer<typeof ThresholdReducerConfigSchema>;

export const AvgNonZeroReducerConfigSchema = strictConfig({ name: z.literal('avg_non_zero') });
export type AvgNonZeroReducerConfig = z.infer<typeof AvgNonZeroReducerConfigSchema>;

export function createThresholdReducer(config: { low?: number; high?: number }, name = 'threshold'): Reducer {
  return { name, reduce: (losses) => thresholdMean(losses, config.low, config.high) };
}

export function createAvgNonZeroReducer(): Reducer {
  return createThresholdReducer({ low: 0 }, 'avg_non_zero');
}

/** Mean of the losses within (low, high); 0 (with zero gradient) when no loss is. */
export function thresholdMean(losses: tf.Tensor1D, low?: number, high?: number): tf.Scalar {
  // A 0/1 mask from step(), which has a (zero) gradient, unlike boolean ops on the gradient path.
  let inside = tf.onesLike(losses);
  if (low !== undefined) inside = inside.mul(tf.step(losses.sub(low)));
  if (high !== undefined) inside = inside.mul(tf.step(tf.sub(high, losses)));
  return losses.mul(inside).sum().div(inside.sum().maximum(1));
}
