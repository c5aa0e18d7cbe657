import * as tf from '@tensorflow/tfjs';

/**
 * Weighted-mean embedding bag as one op with its own gradient:
 *   pooled[b] = sum_l weights[b,l] * rows[ids[b,l]] / max(sum_l weights[b,l], epsilon)
 * Composing it from gather, mul and sum builds a [batch, length, dim] intermediate, and the wasm
 * backend's GatherV2 alone took ~250 ms for 256 x 300 x 64; these loops touch each element once.
 * On webgpu the rows live on the GPU, which Node cannot read synchronously, so there it is that
 * composition (gather's gradient is the GPU's UnsortedSegmentSum).
 */
export function embeddingBag(
  rows: tf.Tensor2D,
  ids: Int32Array,
  weights: Float32Array,
  batch: number,
  epsilon: number,
): tf.Tensor2D {
  const length = ids.length / batch;
  const dim = rows.shape[1];
  const scale = new Float32Array(ids.length);
  for (let b = 0; b < batch; b++) {
    let total = 0;
    for (let l = 0; l < length; l++) total += weights[b * length + l];
    const inverse = 1 / Math.max(total, epsilon);
    for (let l = 0; l < length; l++) scale[b * length + l] = weights[b * length + l] * inverse;
  }
  if (tf.getBackend() === 'webgpu') return composedBag(rows, ids, scale, batch, length);
  const bag = tf.customGrad((input) => {
    const table = (input as tf.Tensor2D).dataSync() as Float32Array;
    const pooled = new Float32Array(batch * dim);
    for (let b = 0; b < batch; b++) {
      const to = b * dim;
      for (let i = b * length; i < (b + 1) * length; i++) {
        const s = scale[i];
        if (s === 0) continue;
        const from = ids[i] * dim;
        for (let d = 0; d < dim; d++) pooled[to + d] += s * table[from + d];
      }
    }
    return {
      value: tf.tensor2d(pooled, [batch, dim]),
      gradFunc: (dy: tf.Tensor) => {
        const upstream = dy.dataSync() as Float32Array;
        const grad = new Float32Array(table.length);
        for (let b = 0; b < batch; b++) {
          const from = b * dim;
          for (let i = b * length; i < (b + 1) * length; i++) {
            const s = scale[i];
            if (s === 0) continue;
            const to = ids[i] * dim;
            for (let d = 0; d < dim; d++) grad[to + d] += s * upstream[from + d];
          }
        }
        return tf.tensor2d(grad, (input as tf.Tensor2D).shape);
      },
    };
  });
  return bag(rows) as tf.Tensor2D;
}

/** The same bag from tfjs ops: gather the rows, scale them, sum each bag's [length, dim] block. */
function composedBag(
  rows: tf.Tensor2D,
  ids: Int32Array,
  scale: Float32Array,
  batch: number,
  length: number,
): tf.Tensor2D {
  return tf.tidy(() =>
    tf
      .gather(rows, tf.tensor1d(ids, 'int32'))
      .mul(tf.tensor2d(scale, [ids.length, 1]))
      .reshape([batch, length, rows.shape[1]])
      .sum(1),
  );
}
