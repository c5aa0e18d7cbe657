import { l2Normalize } from '../vector.ts';

/**
 * The user side of a recommendation model, shared so that the trainer (evaluation as served, parity) and
 * the edge (every /v1/recommend) compute it the same way: a user is their most recent distinct positive
 * items, whose vectors are averaged (the newest weighing most when the model decays by recency), passed
 * through one dense layer, then normalised.
 */
export interface UserTower {
  dim: number;
  /** [dim, dim] row-major: kernel[i * dim + j] maps input i to output j. */
  kernel: ArrayLike<number>;
  bias: ArrayLike<number>;
  /** The newest item weighs 1, the one before it `recencyDecay`, then its square, ... (1: a plain mean). */
  recencyDecay: number;
}

/** The `count` most recent distinct items of a history given oldest first, oldest first. */
export function recentDistinct<T>(history: ArrayLike<T>, count: number): T[] {
  const picked: T[] = [];
  const seen = new Set<T>();
  for (let i = history.length - 1; i >= 0 && picked.length < count; i--) {
    if (seen.has(history[i])) continue;
    seen.add(history[i]);
    picked.push(history[i]);
  }
  return picked.reverse();
}

/** Pooling weights of `count` items given oldest first: the newest gets 1, each older one `decay` times less. */
export function recencyWeights(count: number, decay: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => decay ** (count - 1 - i));
}

/**
 * normalize(weighted mean of itemVectors @ kernel + bias), the vectors given oldest first; there must be
 * at least one.
 */
export function userVector(itemVectors: readonly ArrayLike<number>[], tower: UserTower): Float32Array {
  const { dim, kernel, bias } = tower;
  if (itemVectors.length === 0) throw new Error('a user vector needs at least one item');
  const weights = recencyWeights(itemVectors.length, tower.recencyDecay);
  const total = weights.reduce((a, b) => a + b, 0);
  const mean = new Float64Array(dim);
  itemVectors.forEach((vector, n) => {
    if (vector.length !== dim) throw new Error(`item vectors have ${vector.length} values, expected ${dim}`);
    for (let i = 0; i < dim; i++) mean[i] += (weights[n] * vector[i]) / total;
  });
  const out = Float64Array.from(bias);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) out[j] += mean[i] * kernel[i * dim + j];
  }
  return l2Normalize(out);
}
