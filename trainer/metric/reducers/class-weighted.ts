import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Reducer } from './base.ts';
import { thresholdMean } from './threshold.ts';

/**
 * PML `ClassWeightedReducer(weights, low, high)`: every loss multiplied by the weight of its class, then
 * averaged (over those within the optional thresholds, like ThresholdReducer). The class of a pair or
 * triplet is its anchor's, as in PML 1.x; PML 2.x weights only element losses, which would leave pair
 * and triplet losses silently unweighted.
 */
export const ClassWeightedReducerConfigSchema = strictConfig({
  name: z.literal('class_weighted'),
  weights: z.array(z.number().nonnegative()).min(1),
  low: z.number().optional(),
  high: z.number().optional(),
});
export type ClassWeightedReducerConfig = z.infer<typeof ClassWeightedReducerConfigSchema>;

export function createClassWeightedReducer(config: ClassWeightedReducerConfig): Reducer {
  return {
    name: 'class_weighted',
    reduce: (losses, term, context) => {
      const owners = term.indices[0];
      const weights = new Float32Array(owners.length);
      for (let i = 0; i < owners.length; i++) {
        const label = context.labels[owners[i]];
        if (label >= config.weights.length) {
          throw new Error(`class_weighted has ${config.weights.length} weights but saw label ${label}`);
        }
        weights[i] = config.weights[label];
      }
      return thresholdMean(losses.mul(tf.tensor1d(weights)), config.low, config.high);
    },
  };
}
