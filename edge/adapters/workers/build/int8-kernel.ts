import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { int8KernelBytes } from '../../../../shared/ann/int8-codes.ts';

/** The committed copy of shared/ann's int8 scoring kernel, which workerd cannot compile at run time. */
export const INT8_KERNEL_PATH = join(import.meta.dirname, '..', 'ann', 'int8-score.wasm');

if (process.argv[1] === import.meta.filename) {
  writeFileSync(INT8_KERNEL_PATH, int8KernelBytes());
  console.log(`wrote ${INT8_KERNEL_PATH}`);
}
