import { hashUniform } from './hash-uniform.ts';

/**
 * Seeded test data with the structure of real embeddings: unit vectors scattered around a number of
 * cluster centres (themselves random directions), so near neighbours exist and sit in many clusters.
 * Row-major [count * dim]; row i belongs to cluster i mod clusters.
 */
export function clusteredUnitVectors(
  count: number,
  dim: number,
  options: { clusters: number; spread: number; seed: number },
): Float32Array {
  const gaussian = seededGaussian(options.seed);
  const centres = Float32Array.from({ length: options.clusters * dim }, gaussian);
  const out = new Float32Array(count * dim);
  for (let row = 0; row < count; row++) {
    const centre = (row % options.clusters) * dim;
    let squared = 0;
    for (let j = 0; j < dim; j++) {
      const value = centres[centre + j] + options.spread * gaussian();
      out[row * dim + j] = value;
      squared += value * value;
    }
    const scale = 1 / Math.sqrt(squared);
    for (let j = 0; j < dim; j++) out[row * dim + j] *= scale;
  }
  return out;
}

/** Standard normal draws (Box-Muller) from uniforms hashed out of a counter: no random state to share. */
function seededGaussian(seed: number): () => number {
  let counter = 0;
  const uniform = () => hashUniform(counter++, seed);
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
