import type * as tf from '@tensorflow/tfjs';

/**
 * Reads tensors into host arrays, then frees them. Asynchronous because WebGPU in Node has no
 * synchronous read (tfjs-backend-webgpu's dataSync needs a browser canvas); on the other backends the
 * values are on the host already and this costs a resolved promise.
 */
export async function readAndDispose(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  try {
    return await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  } finally {
    for (const t of tensors) t.dispose();
  }
}
