import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { LossTerm, Reducer } from './base.ts';

/**
 * PML `PerAnchorReducer(reducer=MeanReducer())`: pair losses are first averaged per anchor (anchors
 * without pairs get 0), then the inner reducer reduces the per-anchor losses. Element losses go straight
 * to the inner reducer; triplets are not supported, as in PML.
 */
export function perAnchorSchema<T extends z.ZodType>(inner: T) {
  return strictConfig({
    name: z.literal('per_anchor'),
    reducer: inner.optional(),
  });
}

export function createPerAnchorReducer(inner: Reducer): Reducer {
  return {
    name: 'per_anchor',
    reduce: (losses, term, context) => {
      if (term.kind === 'element') return inner.reduce(losses, term, context);
      if (term.kind === 'triplet') throw new Error('the per_anchor reducer does not support triplet losses');
      const batch = context.embeddings.shape[0];
      const anchors = term.indices[0];
      const counts = new Float32Array(batch);
      for (const anchor of anchors) counts[anchor]++;
      const summed = tf.unsortedSegmentSum(losses, tf.tensor1d(anchors, 'int32'), batch);
      const perAnchor = summed.div(tf.tensor1d(counts).maximum(1)) as tf.Tensor1D;
      const elementTerm: LossTerm = {
        losses: perAnchor,
        kind: 'element',
        indices: [Int32Array.from({ length: batch }, (_, i) => i)],
      };
      return inner.reduce(perAnchor, elementTerm, context);
    },
  };
}
