import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed kernel (built by `npm run build:wasm-train`). */
export const BATCH_NORM_WASM = join(import.meta.dirname, 'batch-norm.wasm');

/** The batch-norm passes, as exported by the kernel (pointers are byte offsets in the imported memory). */
export interface BatchNormKernel {
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
    dyBlock: number,
    centeredBlock: number,
    dyTotals: number,
    centeredTotals: number,
  ): void;
  scaleShift(x: number, rows: number, channels: number, a: number, b: number, out: number): void;
  gradientOutput(
    dy: number,
    x: number,
    rows: number,
    channels: number,
    k1: number,
    k2: number,
    k3: number,
    out: number,
  ): void;
}

/** The kernel compiled for this process. */
export function loadBatchNormKernel(): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(BATCH_NORM_WASM));
}
