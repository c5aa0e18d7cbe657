import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Training kernels the wasm backend does not ship. Without them tfjs falls back to nothing (an error)
 * for UnsortedSegmentSum, the gradient of tf.gather. The cpu backend's version is unusable at our sizes,
 * so this one works directly on the wasm heap views.
 */
const unsortedSegmentSum: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const wasm = backend as BackendWasm;
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as { numSegments: number };
    const rowSize = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
    const out = wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
    const target = wasm.typedArrayFromHeap(out);
    target.fill(0);
    const source = wasm.typedArrayFromHeap(x);
    const ids = wasm.typedArrayFromHeap(segmentIds);
    for (let row = 0; row < ids.length; row++) {
      const segment = ids[row];
      if (segment < 0 || segment >= numSegments) continue; // TF drops out-of-range ids
      const from = row * rowSize;
      const to = segment * rowSize;
      for (let j = 0; j < rowSize; j++) target[to + j] += source[from + j];
    }
    return out;
  },
};

/** Registers our kernels unless present (tfjs' kernel registry is process-wide and refuses duplicates). */
export function registerWasmTrainingKernels(): void {
  for (const kernel of [unsortedSegmentSum]) {
    if (!tf.getKernel(kernel.kernelName, kernel.backendName)) tf.registerKernel(kernel);
  }
}
