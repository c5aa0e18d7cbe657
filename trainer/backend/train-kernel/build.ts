/**
 * Builds the training kernels: `npm run build:wasm-train` compiles assembly/training.ts to
 * training.wasm (committed). The kernels import tfjs-backend-wasm's memory and write nothing but the
 * outputs they are given: no allocator, no data segment (a test checks both).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../../shared/artifacts/atomic-fs.ts';
import { compileKernel } from '../../../shared/assemblyscript/compile-kernel.ts';
import { TRAINING_WASM } from './load-node.ts';

export const TRAINING_SOURCE = join(import.meta.dirname, 'assembly', 'training.ts');

/** The kernels' bytes as the source compiles today. */
export function compileTrainingKernels(): Promise<Uint8Array> {
  return compileKernel(TRAINING_SOURCE, 'training.wasm');
}

if (process.argv[1] === import.meta.filename) {
  await writeFileAtomic(TRAINING_WASM, await compileTrainingKernels());
  console.log(`wrote ${TRAINING_WASM}`);
}
