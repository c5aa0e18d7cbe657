/**
 * Multinomial logistic regression on embeddings, the few-shot baseline of Tian et al. 2020 ("Rethinking
 * few-shot image classification"): scikit-learn's LogisticRegression objective with its default C = 1,
 *   0.5 ||W||^2 + C x sum_i cross-entropy(softmax(W x_i + b), y_i)   (the bias not penalised),
 * minimised by Nesterov-accelerated gradient descent with the step 1 / L, where L = C n (max ||x||^2 + 1) / 2 + 1
 * bounds the curvature (a softmax's Hessian has eigenvalues at most 1/2). Convex, so a small gradient
 * means the optimum.
 */
export interface LogisticModel {
  classes: number;
  dim: number;
  /** [classes, dim + 1]: each row's weights, then its bias. */
  weights: Float64Array;
}

export interface LogisticFit {
  model: LogisticModel;
  /** Norm of the objective's gradient at the end. */
  gradientNorm: number;
}

export function fitLogistic(
  rows: Float32Array,
  dim: number,
  labels: readonly number[],
  classes: number,
  options: { c?: number; iterations?: number } = {},
): LogisticFit {
  const { c = 1, iterations = 300 } = options;
  const n = labels.length;
  const width = dim + 1;
  let maxSquare = 0;
  for (let i = 0; i < n; i++) {
    let square = 0;
    for (let d = 0; d < dim; d++) square += rows[i * dim + d] ** 2;
    maxSquare = Math.max(maxSquare, square);
  }
  const step = 1 / ((c * n * (maxSquare + 1)) / 2 + 1);
  let weights = new Float64Array(classes * width);
  let previous = weights;
  let gradient = objectiveGradient(weights, rows, dim, labels, classes, c);
  for (let t = 1; t <= iterations; t++) {
    const momentum = (t - 1) / (t + 2);
    const look = weights.map((w, j) => w + momentum * (w - previous[j]));
    gradient = objectiveGradient(look, rows, dim, labels, classes, c);
    previous = weights;
    weights = look.map((w, j) => w - step * gradient[j]);
  }
  gradient = objectiveGradient(weights, rows, dim, labels, classes, c);
  return { model: { classes, dim, weights }, gradientNorm: Math.hypot(...gradient) };
}

function logits(weights: Float64Array, row: ArrayLike<number>, dim: number, classes: number): Float64Array {
  const out = new Float64Array(classes);
  for (let k = 0; k < classes; k++) {
    let sum = weights[k * (dim + 1) + dim];
    for (let d = 0; d < dim; d++) sum += weights[k * (dim + 1) + d] * row[d];
    out[k] = sum;
  }
  return out;
}

function softmax(values: Float64Array): Float64Array {
  const max = Math.max(...values);
  const exp = values.map((v) => Math.exp(v - max));
  const total = exp.reduce((s, v) => s + v, 0);
  return exp.map((v) => v / total);
}

/** Gradient of 0.5 ||W||^2 + c x sum cross-entropy, the bias column unpenalised. */
function objectiveGradient(
  weights: Float64Array,
  rows: Float32Array,
  dim: number,
  labels: readonly number[],
  classes: number,
  c: number,
): Float64Array {
  const width = dim + 1;
  const gradient = weights.map((w, j) => (j % width === dim ? 0 : w));
  labels.forEach((label, i) => {
    const row = rows.subarray(i * dim, (i + 1) * dim);
    const p = softmax(logits(weights, row, dim, classes));
    for (let k = 0; k < classes; k++) {
      const error = c * (p[k] - (k === label ? 1 : 0));
      for (let d = 0; d < dim; d++) gradient[k * width + d] += error * row[d];
      gradient[k * width + dim] += error;
    }
  });
  return gradient;
}

/** The most probable class of one row (ties: the lower class). */
export function predictLogistic(model: LogisticModel, row: ArrayLike<number>): number {
  const scores = logits(model.weights, row, model.dim, model.classes);
  let best = 0;
  for (let k = 1; k < scores.length; k++) if (scores[k] > scores[best]) best = k;
  return best;
}
