import * as tf from '@tensorflow/tfjs';
import { lpNorm, normalizeRows } from '../tensor-ops.ts';

/**
 * A distance or similarity between embeddings, after PML's BaseDistance: embeddings are optionally
 * normalised (by their Lp norm with the distance's p), the matrix is computed, then raised to `power`.
 */
export interface Distance {
  readonly name: 'lp' | 'cosine' | 'dot';
  /** True for similarities, where a larger value means closer (PML `is_inverted`). */
  readonly isInverted: boolean;
  readonly normalizeEmbeddings: boolean;
  readonly p: number;
  readonly power: number;
  /** [query rows, ref rows]; `ref` defaults to `query`. */
  matrix(query: tf.Tensor2D, ref?: tf.Tensor2D): tf.Tensor2D;
  /** Row i of `a` against row i of `b`. */
  pairwise(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D;
  /** How much farther x is than y: x - y for distances, y - x for similarities (PML `margin`). */
  margin(x: tf.Tensor | number, y: tf.Tensor | number): tf.Tensor;
  /** The closer of two values element-wise (PML `smallest_dist`). */
  closest(x: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /** Rows scaled to unit Lp norm. */
  normalize(x: tf.Tensor2D): tf.Tensor2D;
  /** The Lp norm of each row. */
  norm(x: tf.Tensor2D): tf.Tensor1D;
}

export interface DistanceCore {
  name: Distance['name'];
  isInverted: boolean;
  normalizeEmbeddings: boolean;
  p: number;
  power: number;
  /** The matrix before `power`, on already-normalised inputs. */
  rawMatrix(query: tf.Tensor2D, ref: tf.Tensor2D): tf.Tensor2D;
  rawPairwise(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D;
}

/** Wraps a core with the normalisation, power and sign conventions every distance shares. */
export function buildDistance(core: DistanceCore): Distance {
  const prepare = (x: tf.Tensor2D) => (core.normalizeEmbeddings ? normalizeRows(x, core.p) : x);
  const raise = <T extends tf.Tensor>(x: T): T => (core.power === 1 ? x : (x.pow(core.power) as T));
  return {
    name: core.name,
    isInverted: core.isInverted,
    normalizeEmbeddings: core.normalizeEmbeddings,
    p: core.p,
    power: core.power,
    matrix: (query, ref) =>
      tf.tidy(() => {
        const q = prepare(query);
        return raise(core.rawMatrix(q, ref === undefined ? q : prepare(ref)));
      }),
    pairwise: (a, b) => tf.tidy(() => raise(core.rawPairwise(prepare(a), prepare(b)))),
    margin: (x, y) => (core.isInverted ? tf.sub(y, x) : tf.sub(x, y)),
    closest: (x, y) => (core.isInverted ? tf.maximum(x, y) : tf.minimum(x, y)),
    normalize: (x) => normalizeRows(x, core.p),
    norm: (x) => lpNorm(x, core.p),
  };
}
