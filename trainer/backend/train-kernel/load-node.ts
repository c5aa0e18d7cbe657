import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed kernel (built by `npm run build:wasm-train`). */
export const TRAINING_WASM = join(import.meta.dirname, 'training.wasm');

/** The training kernels' exports (pointers are byte offsets in the imported memory). */
export interface TrainingKernels {
  sumRows(x: number, rows: number, channels: number, block: number, totals: number): void;
  sumSquaredDeviations(
    x: number,
    rows: number,
    channels: number,
    mean: number,
    block: number,
    totals: number,
  ): void;
  gradientSums(
    dy: number,
    x: number,
    rows: number,
    channels: number,
    mean: number,
    a: number,
    b: number,
    relu: boolean,
    dyBlock: number,
    centeredBlock: number,
    dyTotals: number,
    centeredTotals: number,
  ): void;
  patchesTransposed(
    x: number,
    cols: number,
    first: number,
    images: number,
    inHeight: number,
    inWidth: number,
    channels: number,
    outHeight: number,
    outWidth: number,
    kh: number,
    kw: number,
    strideHeight: number,
    strideWidth: number,
    padTop: number,
    padLeft: number,
  ): void;
  transposeMatrices(x: number, count: number, rows: number, cols: number, out: number): void;
  scaleShift(
    x: number,
    rows: number,
    channels: number,
    a: number,
    b: number,
    relu: boolean,
    out: number,
  ): void;
  maxPoolGrad2x2(
    x: number,
    dy: number,
    dx: number,
    batch: number,
    height: number,
    width: number,
    channels: number,
    outHeight: number,
    outWidth: number,
  ): void;
  gradientOutput(
    dy: number,
    x: number,
    rows: number,
    channels: number,
    a: number,
    b: number,
    relu: boolean,
    k1: number,
    k2: number,
    k3: number,
    out: number,
  ): void;
}

/** The kernel compiled for this process. */
export function loadTrainingKernels(): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(TRAINING_WASM));
}
