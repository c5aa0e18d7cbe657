import { mulberry32, randomInt, type Uniform } from '../../shared/random.ts';
import { type EmbeddingMatrix, rowOf } from './matrix.ts';

export interface KMeansOptions {
  seed: number;
  maxIterations?: number;
  /** Relative tolerance on centre movement, scaled by the mean feature variance (sklearn's `tol`). */
  tolerance?: number;
}

export interface KMeansResult {
  /** Cluster of each row. */
  assignments: Int32Array;
  /** [k, dim] cluster centres. */
  centroids: Float64Array;
  /** Sum of squared distances of rows to their centre. */
  inertia: number;
  iterations: number;
}

/**
 * Lloyd's k-means from greedy k-means++ seeding, as scikit-learn's KMeans (init='k-means++', n_init=1,
 * max_iter=300, tol=1e-4): each new centre is the best of 2 + floor(ln k) candidates drawn with
 * probability proportional to squared distance. Deterministic for a given seed. An empty cluster is
 * re-seeded with the row farthest from its centre, as sklearn relocates them; with fewer distinct points
 * than k, clusters can still end empty (sklearn warns in that case too).
 */
export function kMeans(x: EmbeddingMatrix, k: number, options: KMeansOptions): KMeansResult {
  const { maxIterations = 300, tolerance = 1e-4 } = options;
  if (!Number.isInteger(k) || k < 1 || k > x.rows) throw new Error(`k must be in [1, ${x.rows}], got ${k}`);
  const random = mulberry32(options.seed);
  const centroids = kMeansPlusPlus(x, k, random);
  const assignments = new Int32Array(x.rows).fill(-1);
  const distances = new Float64Array(x.rows);
  const shiftLimit = tolerance * meanFeatureVariance(x);
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    const changed = assign(x, centroids, k, assignments, distances);
    const shift = recomputeCentroids(x, k, assignments, distances, centroids);
    if (!changed || shift <= shiftLimit) break;
  }
  // A last assignment step, so that assignments match the returned centres (as sklearn does).
  assign(x, centroids, k, assignments, distances);
  return { assignments, centroids, inertia: distances.reduce((s, d) => s + d, 0), iterations };
}

function kMeansPlusPlus(x: EmbeddingMatrix, k: number, random: Uniform): Float64Array {
  const { rows, dim } = x;
  const centroids = new Float64Array(k * dim);
  const trials = 2 + Math.floor(Math.log(k));
  const first = randomInt(random, rows);
  centroids.set(rowOf(x, first), 0);
  const closest = new Float64Array(rows);
  for (let i = 0; i < rows; i++) closest[i] = squaredDistance(x, i, centroids, 0);
  for (let c = 1; c < k; c++) {
    const potential = closest.reduce((s, d) => s + d, 0);
    let bestCandidate = -1;
    let bestPotential = Number.POSITIVE_INFINITY;
    let bestDistances = closest;
    for (let t = 0; t < trials; t++) {
      const candidate = sampleProportional(closest, potential, random);
      const candidateCentre = Float64Array.from(rowOf(x, candidate));
      const next = new Float64Array(rows);
      let total = 0;
      for (let i = 0; i < rows; i++) {
        next[i] = Math.min(closest[i], squaredDistance(x, i, candidateCentre, 0));
        total += next[i];
      }
      if (total < bestPotential) {
        bestPotential = total;
        bestCandidate = candidate;
        bestDistances = next;
      }
    }
    centroids.set(rowOf(x, bestCandidate), c * dim);
    closest.set(bestDistances);
  }
  return centroids;
}

/** An index drawn with probability weights[i] / total (uniform when every weight is 0). */
function sampleProportional(weights: Float64Array, total: number, random: Uniform): number {
  if (total <= 0) return randomInt(random, weights.length);
  let target = random() * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i];
    if (target < 0) return i;
  }
  return weights.length - 1;
}

/** Assigns each row to its nearest centre (ties: lower centre); returns whether any assignment changed. */
function assign(
  x: EmbeddingMatrix,
  centroids: Float64Array,
  k: number,
  assignments: Int32Array,
  distances: Float64Array,
): boolean {
  let changed = false;
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const d = squaredDistance(x, i, centroids, c * x.dim);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    if (assignments[i] !== best) changed = true;
    assignments[i] = best;
    distances[i] = bestDistance;
  }
  return changed;
}

/** Moves every centre to the mean of its rows; returns the total squared movement. */
function recomputeCentroids(
  x: EmbeddingMatrix,
  k: number,
  assignments: Int32Array,
  distances: Float64Array,
  centroids: Float64Array,
): number {
  const { rows, dim, data } = x;
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  for (let i = 0; i < rows; i++) {
    const c = assignments[i];
    counts[c]++;
    for (let t = 0; t < dim; t++) sums[c * dim + t] += data[i * dim + t];
  }
  for (let c = 0; c < k; c++) {
    if (counts[c] > 0) continue;
    // Re-seed an empty cluster with the row worst served by its centre, taken from a cluster that keeps a row.
    let far = -1;
    for (let i = 0; i < rows; i++) {
      if (counts[assignments[i]] > 1 && (far < 0 || distances[i] > distances[far])) far = i;
    }
    counts[assignments[far]]--;
    for (let t = 0; t < dim; t++) sums[assignments[far] * dim + t] -= data[far * dim + t];
    assignments[far] = c;
    distances[far] = 0;
    counts[c] = 1;
    for (let t = 0; t < dim; t++) sums[c * dim + t] = data[far * dim + t];
  }
  let shift = 0;
  for (let c = 0; c < k; c++) {
    for (let t = 0; t < dim; t++) {
      const mean = sums[c * dim + t] / counts[c];
      shift += (mean - centroids[c * dim + t]) ** 2;
      centroids[c * dim + t] = mean;
    }
  }
  return shift;
}

function squaredDistance(x: EmbeddingMatrix, i: number, centres: Float64Array, offset: number): number {
  const { data, dim } = x;
  let sum = 0;
  for (let t = 0; t < dim; t++) {
    const d = data[i * dim + t] - centres[offset + t];
    sum += d * d;
  }
  return sum;
}

function meanFeatureVariance(x: EmbeddingMatrix): number {
  const { rows, dim, data } = x;
  let total = 0;
  for (let t = 0; t < dim; t++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += data[i * dim + t];
    mean /= rows;
    let variance = 0;
    for (let i = 0; i < rows; i++) variance += (data[i * dim + t] - mean) ** 2;
    total += variance / rows;
  }
  return total / dim;
}
