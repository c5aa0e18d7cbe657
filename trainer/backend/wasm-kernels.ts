import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { pointerOf, trainingKernels } from './train-kernel/instantiate.ts';
import { WASM_BATCH_NORM_KERNELS } from './wasm-batch-norm.ts';

/**
 * Training kernels for the wasm backend: the ones it lacks (UnsortedSegmentSum, the gradient of tf.gather;
 * Conv2DBackpropFilter, a convolution's weight gradient), faster replacements for those that dominate a
 * CNN step (Conv2DBackpropInput and MaxPoolGrad, naive loops in tfjs-backend-wasm 4.22; BatchMatMul's
 * transposed paths, Sum over leading axes, GatherV2), and batch normalisation (wasm-batch-norm.ts).
 *
 * Heavy arithmetic goes through the backend's own SIMD kernels (Conv2D, BatchMatMul, called as kernel
 * functions on heap tensors, the way backends compose kernels); memory-bound passes run in our own
 * WebAssembly SIMD module on the same memory (train-kernel/); the rest are tight loops over the wasm
 * heap. Measured at batch 128 on a 14x14x32 -> 64 3x3 convolution (2 shared cores): input gradient
 * 670 ms -> 37 ms, filter gradient ~50 ms; both max-pool gradients of the CNN about 8 ms of CPU.
 *
 * Heap views: allocating a tensor can grow the wasm memory, which detaches every earlier view of it, so
 * views are taken right before use, after the allocations they follow.
 *
 * Other backends bring their own: on webgpu, tfjs-backend-webgpu's WGSL shaders run every one of these
 * (docs/gpu-training.md).
 */

type Attrs = Record<string, unknown>;
type Inputs = Record<string, tf.TensorInfo>;

export function heap(backend: BackendWasm, info: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** Runs another wasm kernel on heap tensors; the caller owns (and must dispose) the result. */
export function runWasmKernel(
  name: string,
  inputs: Inputs,
  attrs: Attrs,
  backend: BackendWasm,
): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend }) as tf.TensorInfo;
}

export function dispose(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

function assertChannelsLast(dataFormat: unknown, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernel} on wasm supports NHWC only, got ${String(dataFormat)}`);
  }
}

/** The stock kernel each replacement displaced, captured once at registration (for fallbacks and benchmarks). */
const stockKernels = new Map<string, tf.KernelConfig>();

/**
 * tfjs runs a kernel's setupFunc when the backend starts, and only for the kernels registered then. A
 * replacement registered before that start runs the stock kernel's setup, which its fallback needs.
 */
function setupStock(name: string): tf.KernelSetupFunc {
  return (backend) => stockKernels.get(name)?.setupFunc?.(backend);
}

function stockKernelFunc(name: string): tf.KernelFunc {
  const stock = stockKernels.get(name);
  if (!stock) throw new Error(`no stock wasm ${name} kernel was captured`);
  return stock.kernelFunc;
}

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

/**
 * tf.gather without batch dimensions. The stock kernel checks each index through a closure and walks
 * generic strides in wasm: 2 ms for the 47,616 entries a triplet loss picks from a 128 x 128 distance
 * matrix, where this loop takes a tenth of that. Out-of-range indices throw, as the stock kernel does.
 */
const gatherV2: tf.KernelConfig = {
  kernelName: tf.GatherV2,
  backendName: 'wasm',
  setupFunc: setupStock(tf.GatherV2),
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    if ((batchDims ?? 0) !== 0 || x.dtype === 'string') return stockKernelFunc(tf.GatherV2)(args);
    const [at] = tf.util.parseAxisParam(axis, x.shape);
    const size = x.shape[at];
    const outer = x.shape.slice(0, at).reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(at + 1).reduce((a, b) => a * b, 1);
    const picks = backend.typedArrayFromHeap(indices);
    for (const index of picks) {
      if (!(index >= 0 && index < size))
        throw new Error(`GatherV2: the index value ${index} is not in [0, ${size - 1}]`);
    }
    const out = backend.makeOutput(
      [...x.shape.slice(0, at), ...indices.shape, ...x.shape.slice(at + 1)],
      x.dtype,
    );
    const source = backend.typedArrayFromHeap(x);
    const target = backend.typedArrayFromHeap(out);
    const ids = backend.typedArrayFromHeap(indices);
    const count = ids.length;
    for (let o = 0; o < outer; o++) {
      const from = o * size;
      const to = o * count;
      if (inner === 1) {
        for (let i = 0; i < count; i++) target[to + i] = source[from + ids[i]];
      } else {
        for (let i = 0; i < count; i++) {
          const start = (from + ids[i]) * inner;
          target.set(source.subarray(start, start + inner), (to + i) * inner);
        }
      }
    }
    return out;
  },
};

/**
 * dx of a convolution. With stride 1 it is itself a convolution (Dumoulin & Visin 2016, section 4.1):
 * dy convolved with the filter flipped in space and with in/out channels swapped, padded by
 * (size - 1 - forward padding) on each side, which runs on the backend's fast Conv2D. Other strides
 * keep the stock kernel.
 */
const conv2DBackpropInput: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  setupFunc: setupStock(tf.Conv2DBackpropInput),
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    assertChannelsLast(attrs.dataFormat, 'Conv2DBackpropInput');
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    if (info.strideHeight !== 1 || info.strideWidth !== 1)
      return stockKernelFunc(tf.Conv2DBackpropInput)(args);
    const { filterHeight: kh, filterWidth: kw, inChannels, outChannels, padInfo } = info;
    const flipped = backend.makeOutput([kh, kw, outChannels, inChannels], 'float32');
    const source = heap(backend, filter);
    const target = heap(backend, flipped);
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        const from = ((kh - 1 - y) * kw + (kw - 1 - x)) * inChannels * outChannels;
        const to = (y * kw + x) * outChannels * inChannels;
        for (let c = 0; c < inChannels; c++) {
          for (let f = 0; f < outChannels; f++)
            target[to + f * inChannels + c] = source[from + c * outChannels + f];
        }
      }
    }
    const pad = [
      [0, 0],
      [kh - 1 - padInfo.top, kh - 1 - padInfo.bottom],
      [kw - 1 - padInfo.left, kw - 1 - padInfo.right],
      [0, 0],
    ];
    try {
      return runWasmKernel(
        tf.Conv2D,
        { x: dy, filter: flipped },
        {
          strides: [1, 1],
          pad,
          dataFormat: 'NHWC',
          dilations: [1, 1],
          dimRoundingMode: attrs.dimRoundingMode,
        },
        backend,
      );
    } finally {
      dispose(backend, flipped);
    }
  },
};

/**
 * Rows of the im2col matrix per BatchMatMul call: short enough to stay in cache, long enough to amortise
 * a call. Narrow patches (a first layer's 3x3x1) take more rows, up to a block of 2^18 values (1 MB):
 * 15 ms instead of 20 for the CNN's first filter gradient at batch 128.
 */
const FILTER_GRAD_ROWS = 3136;
const FILTER_GRAD_BLOCK_VALUES = 2 ** 18;
/** Up to this many values (4 MB) the patch matrix covers the whole batch: the CNN's first layer, 3x3x1. */
const FILTER_GRAD_WHOLE_BATCH_VALUES = 2 ** 20;

/**
 * dW[ky, kx, c, f] = sum over (b, oy, ox) of x[b, oy*s + ky - top, ox*s + kx - left, c] * dy[b, oy, ox, f]:
 * the transposed patch matrix [K = kh*kw*c, rows] times dy [rows, f], one BatchMatMul per block of images
 * (its untransposed form is the fast one), accumulated. The patch matrix is built by our WebAssembly SIMD
 * kernel (train-kernel: patchesTransposed, 4x4 transposes in registers): at batch 128 on the CNN's
 * 14x14x32 -> 64 layer it took 19 ms of the gradient's 55 as a JavaScript loop.
 */
const conv2DBackpropFilter: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    assertChannelsLast(attrs.dataFormat, 'Conv2DBackpropFilter');
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
    const { filterHeight: kh, filterWidth: kw, strideHeight, strideWidth, padInfo } = info;
    const patch = kh * kw * inChannels;
    const cells = outHeight * outWidth;
    const blockRows = Math.max(FILTER_GRAD_ROWS, FILTER_GRAD_BLOCK_VALUES / patch);
    // A patch matrix this small takes the whole batch, and dy is the matrix product's operand as it is.
    const whole = patch * batchSize * cells <= FILTER_GRAD_WHOLE_BATCH_VALUES;
    const imagesPerBlock = whole
      ? batchSize
      : Math.max(1, Math.min(batchSize, Math.round(blockRows / cells)));

    const out = backend.makeOutput(attrs.filterShape, 'float32');
    heap(backend, out).fill(0);
    for (let first = 0; first < batchSize; first += imagesPerBlock) {
      const images = Math.min(imagesPerBlock, batchSize - first);
      const rows = images * cells;
      const patchesT = backend.makeOutput([patch, rows], 'float32');
      const dyBlock = whole
        ? { ...dy, shape: [rows, outChannels] }
        : backend.makeOutput([rows, outChannels], 'float32');
      trainingKernels(backend).patchesTransposed(
        pointerOf(backend, x),
        pointerOf(backend, patchesT),
        first,
        images,
        inHeight,
        inWidth,
        inChannels,
        outHeight,
        outWidth,
        kh,
        kw,
        strideHeight,
        strideWidth,
        padInfo.top,
        padInfo.left,
      );
      if (!whole) {
        const start = first * cells * outChannels;
        heap(backend, dyBlock).set(heap(backend, dy).subarray(start, start + rows * outChannels));
      }
      const partial = runWasmKernel(
        tf.BatchMatMul,
        { a: patchesT, b: dyBlock },
        { transposeA: false, transposeB: false },
        backend,
      );
      const sum = heap(backend, out);
      const add = heap(backend, partial);
      for (let i = 0; i < sum.length; i++) sum[i] += add[i];
      dispose(backend, patchesT, partial, ...(whole ? [] : [dyBlock]));
    }
    return out;
  },
};

/**
 * dx of a max pool: each output cell's gradient goes to the first maximum of its window in row-major
 * order (ties and NaN handled as tfjs' cpu backend does: a later equal value does not win).
 */
const maxPoolGrad: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  setupFunc: setupStock(tf.MaxPoolGrad),
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
    const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, strideHeight, strideWidth, padInfo } = info;
    const out = backend.makeOutput(input.shape, 'float32');
    const dx = heap(backend, out);
    dx.fill(0);
    const xs = heap(backend, input);
    const grads = heap(backend, dy);
    if (
      fh === 2 &&
      fw === 2 &&
      strideHeight === 2 &&
      strideWidth === 2 &&
      2 * outHeight <= inHeight &&
      2 * outWidth <= inWidth &&
      padInfo.top === 0 &&
      padInfo.left === 0
    ) {
      if (channels % 4 === 0) {
        const [xAt, dyAt, dxAt] = [input, dy, out].map((t) => pointerOf(backend, t));
        trainingKernels(backend).maxPoolGrad2x2(
          xAt,
          dyAt,
          dxAt,
          batchSize,
          inHeight,
          inWidth,
          channels,
          outHeight,
          outWidth,
        );
      } else maxPoolGrad2x2(xs, grads, dx, info);
      return out;
    }
    // Channels innermost: every read is contiguous, and each window's maxima are found for all channels at once.
    const best = new Float32Array(channels);
    const at = new Int32Array(channels);
    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < outHeight; oy++) {
        const y0 = Math.max(0, oy * strideHeight - padInfo.top);
        const y1 = Math.min(inHeight, oy * strideHeight - padInfo.top + fh);
        for (let ox = 0; ox < outWidth; ox++) {
          const x0 = Math.max(0, ox * strideWidth - padInfo.left);
          const x1 = Math.min(inWidth, ox * strideWidth - padInfo.left + fw);
          best.fill(Number.NEGATIVE_INFINITY);
          at.fill(-1);
          for (let y = y0; y < y1; y++) {
            for (let x = x0; x < x1; x++) {
              const base = ((b * inHeight + y) * inWidth + x) * channels;
              for (let c = 0; c < channels; c++) {
                if (xs[base + c] > best[c]) {
                  best[c] = xs[base + c];
                  at[c] = base + c;
                }
              }
            }
          }
          const g = ((b * outHeight + oy) * outWidth + ox) * channels;
          for (let c = 0; c < channels; c++) if (at[c] >= 0) dx[at[c]] += grads[g + c];
        }
      }
    }
    return out;
  },
};

/**
 * 2x2 windows, stride 2, every window inside the input, with channels not a multiple of 4 (those run
 * branch-free in WebAssembly SIMD: train-kernel/assembly/training.ts). The windows do not overlap, so each
 * gradient is stored, not added, and the four candidates are compared in place of a window loop. Same
 * choice as the general loop: the first strict maximum, none when all are NaN.
 */
function maxPoolGrad2x2(
  xs: Float32Array,
  grads: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
) {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const rowStride = inWidth * channels;
  let g = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, g += channels) {
        const top = ((b * inHeight + 2 * oy) * inWidth + 2 * ox) * channels;
        for (let c = 0; c < channels; c++) {
          const p00 = top + c;
          const p01 = p00 + channels;
          const p10 = p00 + rowStride;
          const p11 = p10 + channels;
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          if (xs[p00] > best) {
            best = xs[p00];
            at = p00;
          }
          if (xs[p01] > best) {
            best = xs[p01];
            at = p01;
          }
          if (xs[p10] > best) {
            best = xs[p10];
            at = p10;
          }
          if (xs[p11] > best) at = p11;
          if (at >= 0) dx[at] = grads[g + c];
        }
      }
    }
  }
}

/**
 * Matrix products with a transposed operand. The stock kernel's transposed paths are 10-17x slower than
 * its plain one (measured: [128, 3136]^T @ [128, 128] 209 ms vs 24 ms with an explicit transpose; the
 * loss's [128, 128] @ [128, 128]^T 10 ms vs 0.6 ms), and backpropagation through any matMul asks for
 * them. Transposing the operand first (our WebAssembly SIMD kernel, train-kernel: transposeMatrices, in
 * 4x4 tiles; the backend's Transpose kernel took about 4 ms for the CNN's [3136, 128] weights) and running
 * the plain product gives the same result.
 */
const batchMatMul: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  setupFunc: setupStock(tf.BatchMatMul),
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const plain = stockKernelFunc(tf.BatchMatMul);
    // The transpose kernel moves float32 words; other dtypes keep the stock kernel's own transposed paths.
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') return plain(args);
    const temporary: tf.TensorInfo[] = [];
    const upright = (x: tf.TensorInfo, transpose: boolean) => {
      if (!transpose) return x;
      const [rows, cols] = x.shape.slice(-2);
      const count = x.shape.slice(0, -2).reduce((n, d) => n * d, 1);
      const t = backend.makeOutput([...x.shape.slice(0, -2), cols, rows], 'float32');
      temporary.push(t);
      trainingKernels(backend).transposeMatrices(
        pointerOf(backend, x),
        count,
        rows,
        cols,
        pointerOf(backend, t),
      );
      return t;
    };
    try {
      return plain({
        ...args,
        inputs: { a: upright(a, transposeA), b: upright(b, transposeB) },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
    } finally {
      dispose(backend, ...temporary);
    }
  },
};

/**
 * Sums over leading axes (per-channel sums of NHWC activations, bias gradients): the stock kernel first
 * transposes the reduced axes innermost (6.4 ms for [100352, 32]); one pass adding rows into float64
 * totals takes 2.8 ms. Not a ones-vector BatchMatMul: XNNPACK repacks its right operand on every call
 * with new data (14 ms here). Other reductions keep the stock kernel.
 */
const sum: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  setupFunc: setupStock(tf.Sum),
  kernelFunc: (args) => {
    const backend = args.backend as BackendWasm;
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length < rank && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return stockKernelFunc(tf.Sum)(args);
    const kept = x.shape.slice(axes.length);
    const inner = kept.reduce((a, b) => a * b, 1);
    const outer = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    const source = heap(backend, x);
    const totals = new Float64Array(inner);
    // Eight rows per pass: one read-modify-write of the totals per eight inputs instead of per input.
    const unrolled = outer - (outer % 8);
    for (let row = 0; row < unrolled; row += 8) {
      for (let j = 0, at = row * inner; j < inner; j++, at++) {
        totals[j] +=
          source[at] +
          source[at + inner] +
          source[at + 2 * inner] +
          source[at + 3 * inner] +
          source[at + 4 * inner] +
          source[at + 5 * inner] +
          source[at + 6 * inner] +
          source[at + 7 * inner];
      }
    }
    for (let row = unrolled; row < outer; row++) {
      for (let j = 0, at = row * inner; j < inner; j++, at++) totals[j] += source[at];
    }
    heap(backend, out).set(totals);
    return out;
  },
};

/** Every kernel this file provides, in registration order. */
/**
 * Identity as an alias of its input's data, as the backend's Reshape and the cpu backend's Identity do:
 * the engine clones every tensor a gradient saves, and the stock kernel copied each one (about 4 ms of a
 * CNN step at batch 128). Sharing is safe because tensors are immutable: every kernel writes only the
 * outputs it makes, and the shared data is freed when the last tensor on it is disposed.
 */
const identity: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stockKernelFunc(tf.Identity)(args);
    (args.backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  },
};

export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  unsortedSegmentSum,
  gatherV2,
  batchMatMul,
  sum,
  conv2DBackpropFilter,
  conv2DBackpropInput,
  maxPoolGrad,
  identity,
  ...WASM_BATCH_NORM_KERNELS,
];

/**
 * Installs `kernels` for the wasm backend, replacing whatever is registered under their names (tfjs'
 * registry is process-wide and refuses duplicates, so a replacement is unregister + register). The
 * first stock kernel displaced under each name is kept: replacements fall back to it, and benchmarks
 * reinstall it through `stockWasmKernels`.
 */
export function installWasmKernels(kernels: readonly tf.KernelConfig[]): void {
  for (const kernel of kernels) {
    const current = tf.getKernel(kernel.kernelName, 'wasm');
    if (current === kernel) continue;
    if (current && !WASM_TRAINING_KERNELS.includes(current) && !stockKernels.has(kernel.kernelName)) {
      stockKernels.set(kernel.kernelName, current);
    }
    if (current) tf.unregisterKernel(kernel.kernelName, 'wasm');
    tf.registerKernel(kernel);
  }
}

/** Unregisters kernels of ours that have no stock counterpart (a benchmark of the kernels we started from). */
export function removeWasmKernels(kernels: readonly tf.KernelConfig[]): void {
  for (const { kernelName } of kernels) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
  }
}

/** The stock kernels ours replace that remain useful as fallbacks and as the benchmark's baseline. */
export const DISPLACED_STOCK_KERNELS: readonly string[] = [
  tf.BatchMatMul,
  tf.Sum,
  tf.Conv2DBackpropInput,
  tf.MaxPoolGrad,
  tf.GatherV2,
  tf.Identity,
];

/** The stock tfjs-backend-wasm kernels our replacements displaced, by name (after registration). */
export function stockWasmKernels(names: readonly string[]): tf.KernelConfig[] {
  return names.map((name) => {
    const stock = stockKernels.get(name);
    if (!stock) throw new Error(`no stock wasm ${name} kernel was displaced`);
    return stock;
  });
}

/** Registers our training kernels (idempotent). */
export function registerWasmTrainingKernels(): void {
  installWasmKernels(WASM_TRAINING_KERNELS);
}
