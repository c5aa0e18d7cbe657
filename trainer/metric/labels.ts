import type * as tf from '@tensorflow/tfjs';

/** Class labels as integers in JS: miners and tuple enumeration work on them directly. */
export function readLabels(
  labels: tf.Tensor1D | Int32Array | readonly number[],
  what = 'labels',
): Int32Array {
  const values =
    labels instanceof Int32Array
      ? labels
      : Array.isArray(labels)
        ? labels
        : (labels as tf.Tensor1D).dataSync();
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`${what} must be non-negative integers, got ${v} at ${i}`);
    out[i] = v;
  }
  return out;
}
