import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Reducer } from './base.ts';

/**
 * PML `DivisorReducer`: the sum of the losses divided by a divisor the loss computes (margin: the number of
 * active pairs; proxy_anchor: the number of proxies). 0 when the divisor is 0.
 */
export const DivisorReducerConfigSchema = strictConfig({ name: z.literal('divisor') });
export type DivisorReducerConfig = z.infer<typeof DivisorReducerConfigSchema>;

export function createDivisorReducer(): Reducer {
  return {
    name: 'divisor',
    reduce: (losses, term) => {
      if (term.divisor === undefined) {
        throw new Error('the divisor reducer needs a loss that provides a divisor (margin, proxy_anchor)');
      }
      // A zero divisor means no active tuple: 0, still connected to the losses so gradients exist.
      const { divisor } = term;
      if (typeof divisor === 'number') return divisor === 0 ? losses.sum().mul(0) : losses.sum().div(divisor);
      // tf.step, not greater: a count in the gradient's path needs a (zero) gradient.
      return losses.sum().div(divisor.maximum(1)).mul(tf.step(divisor));
    },
  };
}
