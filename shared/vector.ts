/** Vector math both sides must compute identically. */

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** Cosine similarity; 0 when either vector is zero (no direction, no similarity). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const denominator = norm(a) * norm(b);
  return denominator === 0 ? 0 : dot(a, b) / denominator;
}

export function squaredEuclidean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

/** Returns a unit-length copy (a zero vector stays zero). */
export function l2Normalize(a: ArrayLike<number>): Float32Array {
  const n = norm(a);
  const out = Float32Array.from(a);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}
