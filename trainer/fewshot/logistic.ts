/**
 * Multinomial logistic regression on embeddings, the few-shot baseline of Tian et al. 2020 ("Rethinking
 * few-shot image classification"): scikit-learn's LogisticRegression objective with its default C = 1,
 *   0.5 ||W||^2 + C x sum_i cross-entropy(softmax(W x_i + b), y_i)   (the bias not penalised),
 * minimised by Nesterov-accelerated gradient descent with the step 1 / L, where L = C n (max ||x||^2 + 1) / 2 + 1
 * bounds the curvature (a softmax's Hessian has eigenvalues at most 1/2). Convex, so a small gradient
 * means the optimum.
 *
 * Started from zero, every iterate of W is a combination of the training rows, W = A X (the gradient of
 * both terms lies in their span), so the descent runs on A [classes, n] with the Gram matrix K = X X^T:
 * the same iterates at O(classes x n^2) per step instead of O(classes x n x dim), which is what makes
 * 600 episodes of 1,568-dimensional image embeddings affordable.
 */
export interface LogisticModel {
  classes: number;
  dim: number;
  /** [classes, dim + 1]: each row's weights, then its bias. */
  weights: Float64Array;
}

export interface LogisticFit {
  model: LogisticModel;
  /** Norm of the objective's gradient (weights and biases) at the end. */
  gradientNorm: number;
}

/** A point of the descent: row combinations A [classes, n] (W = A X) and biases [classes]. */
interface Point {
  a: Float64Array;
  b: Float64Array;
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
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let d = 0; d < dim; d++) sum += rows[i * dim + d] * rows[j * dim + d];
      gram[i * n + j] = gram[j * n + i] = sum;
    }
  }
  const maxSquare = Math.max(...Array.from({ length: n }, (_, i) => gram[i * n + i]));
  const step = 1 / ((c * n * (maxSquare + 1)) / 2 + 1);
  let point: Point = { a: new Float64Array(classes * n), b: new Float64Array(classes) };
  let previous = point;
  for (let t = 1; t <= iterations; t++) {
    const momentum = (t - 1) / (t + 2);
    const look: Point = {
      a: point.a.map((v, j) => v + momentum * (v - previous.a[j])),
      b: point.b.map((v, j) => v + momentum * (v - previous.b[j])),
    };
    const gradient = gradientAt(look, gram, labels, classes, c);
    previous = point;
    point = {
      a: look.a.map((v, j) => v - step * gradient.a[j]),
      b: look.b.map((v, j) => v - step * gradient.b[j]),
    };
  }
  const gradient = gradientAt(point, gram, labels, classes, c);
  // |dW|^2 = the coefficients' quadratic form in K (dW = dA X); the biases' part as it is.
  let square = gradient.b.reduce((sum, v) => sum + v * v, 0);
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) square += gradient.a[k * n + i] * gram[i * n + j] * gradient.a[k * n + j];
    }
  }
  return { model: weightsOf(point, rows, dim, n, classes), gradientNorm: Math.sqrt(Math.max(0, square)) };
}

/** The objective's gradient as row coefficients: A + c (P - Y)^T for the weights, c sum (P - Y) for the biases. */
function gradientAt(
  point: Point,
  gram: Float64Array,
  labels: readonly number[],
  classes: number,
  c: number,
): Point {
  const n = labels.length;
  const gradient: Point = { a: Float64Array.from(point.a), b: new Float64Array(classes) };
  const logits = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < classes; k++) {
      let sum = point.b[k];
      for (let j = 0; j < n; j++) sum += point.a[k * n + j] * gram[j * n + i];
      logits[k] = sum;
    }
    const p = softmax(logits);
    for (let k = 0; k < classes; k++) {
      const error = c * (p[k] - (k === labels[i] ? 1 : 0));
      gradient.a[k * n + i] += error;
      gradient.b[k] += error;
    }
  }
  return gradient;
}

function weightsOf(point: Point, rows: Float32Array, dim: number, n: number, classes: number): LogisticModel {
  const weights = new Float64Array(classes * (dim + 1));
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < n; i++) {
      const coefficient = point.a[k * n + i];
      for (let d = 0; d < dim; d++) weights[k * (dim + 1) + d] += coefficient * rows[i * dim + d];
    }
    weights[k * (dim + 1) + dim] = point.b[k];
  }
  return { classes, dim, weights };
}

function softmax(values: Float64Array): Float64Array {
  const max = Math.max(...values);
  const exp = values.map((v) => Math.exp(v - max));
  const total = exp.reduce((s, v) => s + v, 0);
  return exp.map((v) => v / total);
}

/** The most probable class of one row (ties: the lower class). */
export function predictLogistic(model: LogisticModel, row: ArrayLike<number>): number {
  const { dim } = model;
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < model.classes; k++) {
    let score = model.weights[k * (dim + 1) + dim];
    for (let d = 0; d < dim; d++) score += model.weights[k * (dim + 1) + d] * row[d];
    if (score > bestScore) [best, bestScore] = [k, score];
  }
  return best;
}
