import type { EmbeddingMatrix } from '../eval/matrix.ts';

/**
 * Projects rows onto their top principal components (of the centred data), found by power iteration
 * with deflation on the covariance matrix. Signs are fixed so that each component's largest loading is
 * positive, which makes the result deterministic. Returns [rows, components] row-major.
 */
export function pcaProject(x: EmbeddingMatrix, components: number): Float64Array {
  const { rows, dim, data } = x;
  const mean = new Float64Array(dim);
  for (let i = 0; i < rows; i++) for (let t = 0; t < dim; t++) mean[t] += data[i * dim + t] / rows;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < rows; i++) {
    for (let t = 0; t < dim; t++) centred[t] = data[i * dim + t] - mean[t];
    for (let a = 0; a < dim; a++) {
      for (let b = a; b < dim; b++) covariance[a * dim + b] += centred[a] * centred[b];
    }
  }
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) covariance[a * dim + b] = covariance[b * dim + a];

  const out = new Float64Array(rows * components);
  for (let c = 0; c < components; c++) {
    const vector = topEigenvector(covariance, dim);
    const eigenvalue = rayleigh(covariance, vector, dim);
    // Deflate so that the next power iteration finds the next component.
    for (let a = 0; a < dim; a++)
      for (let b = 0; b < dim; b++) covariance[a * dim + b] -= eigenvalue * vector[a] * vector[b];
    for (let i = 0; i < rows; i++) {
      let projection = 0;
      for (let t = 0; t < dim; t++) projection += (data[i * dim + t] - mean[t]) * vector[t];
      out[i * components + c] = projection;
    }
  }
  return out;
}

function topEigenvector(matrix: Float64Array, dim: number): Float64Array {
  // A fixed, non-symmetric start vector: deterministic and almost surely not orthogonal to the answer.
  let vector = Float64Array.from({ length: dim }, (_, t) => 1 + t / dim);
  normalise(vector);
  for (let iteration = 0; iteration < 500; iteration++) {
    const next = new Float64Array(dim);
    for (let a = 0; a < dim; a++) {
      let sum = 0;
      for (let b = 0; b < dim; b++) sum += matrix[a * dim + b] * vector[b];
      next[a] = sum;
    }
    if (normalise(next) === 0) return vector; // no variance left in any direction
    const change = next.reduce((s, v, t) => s + Math.abs(v - vector[t]), 0);
    vector = next;
    if (change < 1e-10) break;
  }
  const largest = vector.reduce((best, v, t) => (Math.abs(v) > Math.abs(vector[best]) ? t : best), 0);
  if (vector[largest] < 0) for (let t = 0; t < dim; t++) vector[t] = -vector[t];
  return vector;
}

function rayleigh(matrix: Float64Array, vector: Float64Array, dim: number): number {
  let value = 0;
  for (let a = 0; a < dim; a++)
    for (let b = 0; b < dim; b++) value += vector[a] * matrix[a * dim + b] * vector[b];
  return value;
}

/** Scales to unit length in place; returns the original length. */
function normalise(vector: Float64Array): number {
  const length = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  if (length > 0) for (let t = 0; t < vector.length; t++) vector[t] /= length;
  return length;
}
