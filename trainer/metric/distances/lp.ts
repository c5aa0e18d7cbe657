import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import { safeRoot } from '../tensor-ops.ts';
import { buildDistance, type Distance } from './base.ts';

/** PML `LpDistance(p=2, power=1, normalize_embeddings=True)`: ||q - r||_p, larger means farther. */
export const LpDistanceConfigSchema = strictConfig({
  name: z.literal('lp'),
  p: z.number().min(1).default(2),
  power: z.number().positive().default(1),
  normalize_embeddings: z.boolean().default(true),
});
export type LpDistanceConfig = z.infer<typeof LpDistanceConfigSchema>;

export function createLpDistance(config: LpDistanceConfig): Distance {
  const { p, power } = config;
  // Euclidean distance squared is exact without the root: skip it (and its gradient at 0).
  const squaredEuclidean = p === 2 && power === 2;
  const distance = buildDistance({
    name: 'lp',
    isInverted: false,
    normalizeEmbeddings: config.normalize_embeddings,
    p,
    power: squaredEuclidean ? 1 : power,
    rawMatrix: (q, r) => (squaredEuclidean ? squaredEuclideanMatrix(q, r) : lpMatrix(q, r, p)),
    rawPairwise: (a, b) => {
      const diff = a.sub(b);
      if (squaredEuclidean) return diff.square().sum(1) as tf.Tensor1D;
      return rootOfSum(p === 2 ? diff.square() : diff.abs().pow(p), p, 1) as tf.Tensor1D;
    },
  });
  return { ...distance, power };
}

/** |q|² + |r|² - 2 q·r, clamped at 0 against rounding: a matrix product instead of a [n, m, dim] tensor. */
function squaredEuclideanMatrix(q: tf.Tensor2D, r: tf.Tensor2D): tf.Tensor2D {
  const qq = q.square().sum(1, true);
  const rr = r.square().sum(1, true).transpose();
  return tf.relu(qq.add(rr).sub(q.matMul(r, false, true).mul(2))) as tf.Tensor2D;
}

function lpMatrix(q: tf.Tensor2D, r: tf.Tensor2D, p: number): tf.Tensor2D {
  if (p === 2) return safeRoot(squaredEuclideanMatrix(q, r), 2) as tf.Tensor2D;
  const diff = q.expandDims(1).sub(r.expandDims(0)).abs();
  if (p === 1) return diff.sum(2) as tf.Tensor2D;
  return rootOfSum(diff.pow(p), p, 2) as tf.Tensor2D;
}

function rootOfSum(terms: tf.Tensor, p: number, axis: number): tf.Tensor {
  return p === 1 ? terms.sum(axis) : safeRoot(terms.sum(axis), p);
}
