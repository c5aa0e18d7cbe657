import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  DISPLACED_STOCK_KERNELS,
  dispose,
  heap,
  runWasmKernel,
  stockWasmKernels,
} from '../../trainer/backend/wasm-kernels.ts';

/**
 * The kernels the CNN trained with before ours, for benchmarks only: tfjs-backend-wasm 4.22's own
 * Conv2DBackpropInput, MaxPoolGrad, BatchMatMul and Sum, plus the filter gradient of our first prototype
 * (trainer-backends notes), built from stock kernels: pad x, then per filter tap (ky, kx) the slice of
 * x it sees, as [rows, in], times dy [rows, out] with a transposed matMul.
 */
const prototypeConv2DBackpropFilter: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    if (info.strideHeight !== 1 || info.strideWidth !== 1)
      throw new Error('the prototype handles stride 1 only');
    const { batchSize, outHeight, outWidth, inChannels, outChannels, padInfo } = info;
    const rows = batchSize * outHeight * outWidth;
    const padded = runWasmKernel(
      tf.PadV2,
      { x },
      {
        paddings: [
          [0, 0],
          [padInfo.top, padInfo.bottom],
          [padInfo.left, padInfo.right],
          [0, 0],
        ],
        constantValue: 0,
      },
      backend,
    );
    const out = backend.makeOutput(attrs.filterShape, 'float32');
    const [stockMatMul] = stockWasmKernels([tf.BatchMatMul]);
    for (let ky = 0; ky < info.filterHeight; ky++) {
      for (let kx = 0; kx < info.filterWidth; kx++) {
        const tap = runWasmKernel(
          tf.Slice,
          { x: padded },
          { begin: [0, ky, kx, 0], size: [batchSize, outHeight, outWidth, inChannels] },
          backend,
        );
        const product = stockMatMul.kernelFunc({
          inputs: { a: { ...tap, shape: [rows, inChannels] }, b: { ...dy, shape: [rows, outChannels] } },
          attrs: { transposeA: true, transposeB: false },
          backend,
        }) as tf.TensorInfo;
        heap(backend, out).set(
          heap(backend, product),
          (ky * info.filterWidth + kx) * inChannels * outChannels,
        );
        dispose(backend, tap, product);
      }
    }
    dispose(backend, padded);
    return out;
  },
};

/** Call after our kernels are registered (initBackend('wasm')): the stock ones are captured then. */
export function baselineWasmKernels(): tf.KernelConfig[] {
  return [...stockWasmKernels(DISPLACED_STOCK_KERNELS), prototypeConv2DBackpropFilter];
}
