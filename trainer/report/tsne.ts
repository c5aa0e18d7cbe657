import { z } from 'zod';
import type { EmbeddingMatrix } from '../eval/matrix.ts';
import { pcaProject } from './pca.ts';

export const TsneOptionsSchema = z
  .object({
    perplexity: z.number().positive().default(30),
    iterations: z.number().int().min(250).default(1000),
    earlyExaggeration: z.number().positive().default(12),
    /** Iterations with exaggerated P and momentum 0.5, before momentum 0.8. */
    exaggerationIterations: z.number().int().nonnegative().default(250),
  })
  .strict();
export type TsneOptions = z.input<typeof TsneOptionsSchema>;

/** Smallest probability kept, as sklearn's MACHINE_EPSILON: it keeps logs and divisions finite. */
const EPSILON = Number.EPSILON;

/**
 * Exact t-SNE (van der Maaten and Hinton, 2008) into 2-D, with scikit-learn's TSNE(method='exact')
 * choices: Gaussian affinities on squared Euclidean distances calibrated to the perplexity (clamped to
 * (n - 1) / 3) by binary search, symmetrised P, PCA initialisation scaled to standard deviation 1e-4,
 * learning rate 'auto' = max(n / early_exaggeration / 4, 50), early exaggeration 12 with momentum 0.5 for
 * 250 iterations then momentum 0.8, and delta-bar-delta gains (min gain 0.01). O(n^2) time and memory per
 * iteration: meant for up to a few thousand points. Deterministic: no randomness at all.
 * Returns [rows, 2] row-major.
 */
export function tsne(x: EmbeddingMatrix, options: TsneOptions = {}): Float64Array {
  const { iterations, earlyExaggeration, exaggerationIterations, ...rest } = TsneOptionsSchema.parse(options);
  const n = x.rows;
  if (n < 2) return new Float64Array(2 * n);
  const perplexity = Math.min(rest.perplexity, Math.max(1, (n - 1) / 3));
  const p = jointProbabilities(x, perplexity);
  const y = initialLayout(x);
  const learningRate = Math.max(n / earlyExaggeration / 4, 50);
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const gradient = new Float64Array(2 * n);
  const kernel = new Float64Array(p.length);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const early = iteration < exaggerationIterations;
    computeGradient(y, n, p, early ? earlyExaggeration : 1, kernel, gradient);
    const momentum = early ? 0.5 : 0.8;
    for (let i = 0; i < 2 * n; i++) {
      const sameDirection = update[i] * gradient[i] < 0;
      gains[i] = Math.max(0.01, sameDirection ? gains[i] + 0.2 : gains[i] * 0.8);
      update[i] = momentum * update[i] - learningRate * gains[i] * gradient[i];
      y[i] += update[i];
    }
  }
  return y;
}

/** Index of pair (i, j), i < j, in a condensed upper-triangle array. */
function pairIndex(i: number, j: number, n: number): number {
  return i * n - (i * (i + 1)) / 2 + (j - i - 1);
}

/**
 * Symmetric joint probabilities p_ij = (p_j|i + p_i|j) / 2n as a condensed upper triangle, each row's
 * conditional distribution having entropy ln(perplexity).
 */
function jointProbabilities(x: EmbeddingMatrix, perplexity: number): Float64Array {
  const { rows: n, dim, data } = x;
  const p = new Float64Array((n * (n - 1)) / 2);
  const distances = new Float64Array(n);
  const conditional = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < dim; t++) {
        const d = data[i * dim + t] - data[j * dim + t];
        sum += d * d;
      }
      distances[j] = sum;
    }
    calibrateRow(distances, i, perplexity, conditional);
    for (let j = 0; j < n; j++) {
      if (j !== i) p[j > i ? pairIndex(i, j, n) : pairIndex(j, i, n)] += conditional[j];
    }
  }
  for (let k = 0; k < p.length; k++) p[k] = Math.max(p[k] / (2 * n), EPSILON);
  return p;
}

/**
 * Binary search on the precision beta = 1 / (2 sigma^2) so that the row's distribution
 * p_j|i = exp(-beta d_ij) / sum has entropy ln(perplexity) within 1e-5 nats (sklearn's
 * _binary_search_perplexity). `distances` are squared; `out` receives the row.
 */
export function calibrateRow(
  distances: Float64Array,
  self: number,
  perplexity: number,
  out: Float64Array,
): void {
  const targetEntropy = Math.log(perplexity);
  let beta = 1;
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  for (let step = 0; step < 100; step++) {
    let sum = 0;
    for (let j = 0; j < distances.length; j++) {
      out[j] = j === self ? 0 : Math.exp(-distances[j] * beta);
      sum += out[j];
    }
    if (sum === 0) sum = EPSILON;
    let weightedDistance = 0;
    for (let j = 0; j < distances.length; j++) {
      out[j] /= sum;
      weightedDistance += distances[j] * out[j];
    }
    const entropy = Math.log(sum) + beta * weightedDistance;
    const error = entropy - targetEntropy;
    if (Math.abs(error) <= 1e-5) return;
    if (error > 0) {
      low = beta;
      beta = high === Number.POSITIVE_INFINITY ? beta * 2 : (beta + high) / 2;
    } else {
      high = beta;
      beta = low === Number.NEGATIVE_INFINITY ? beta / 2 : (beta + low) / 2;
    }
  }
}

/** PCA coordinates scaled so that the first has standard deviation 1e-4 (sklearn's init='pca'). */
function initialLayout(x: EmbeddingMatrix): Float64Array {
  const y = pcaProject(x, 2);
  const n = x.rows;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[2 * i] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (y[2 * i] - mean) ** 2 / n;
  const scale = variance > 0 ? 1e-4 / Math.sqrt(variance) : 1;
  return y.map((v) => v * scale);
}

/**
 * The KL-divergence gradient with Student-t kernel w_ij = 1 / (1 + |y_i - y_j|^2) and q_ij = w_ij / Z:
 * dC/dy_i = 4 sum_j (exaggeration x p_ij - q_ij) w_ij (y_i - y_j).
 */
function computeGradient(
  y: Float64Array,
  n: number,
  p: Float64Array,
  exaggeration: number,
  kernel: Float64Array,
  gradient: Float64Array,
): void {
  let z = 0;
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, k++) {
      const dx = y[2 * i] - y[2 * j];
      const dy = y[2 * i + 1] - y[2 * j + 1];
      kernel[k] = 1 / (1 + dx * dx + dy * dy);
      z += 2 * kernel[k];
    }
  }
  const inverseZ = 1 / z;
  gradient.fill(0);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++, k++) {
      const q = Math.max(kernel[k] * inverseZ, EPSILON);
      const force = 4 * (exaggeration * p[k] - q) * kernel[k];
      const fx = force * (y[2 * i] - y[2 * j]);
      const fy = force * (y[2 * i + 1] - y[2 * j + 1]);
      gradient[2 * i] += fx;
      gradient[2 * i + 1] += fy;
      gradient[2 * j] -= fx;
      gradient[2 * j + 1] -= fy;
    }
  }
}
