/**
 * Row-major vectors scaled to unit length, so cosine similarity is one dot product. A zero row stays zero
 * (the index refuses zero vectors, so none reaches here).
 */
export function unitRows(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  for (let offset = 0; offset < vectors.length; offset += dim) {
    let squared = 0;
    for (let j = 0; j < dim; j++) squared += vectors[offset + j] * vectors[offset + j];
    const scale = squared > 0 ? 1 / Math.sqrt(squared) : 0;
    for (let j = 0; j < dim; j++) out[offset + j] = vectors[offset + j] * scale;
  }
  return out;
}
