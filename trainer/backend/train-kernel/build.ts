/**
 * Builds the training kernels: `npm run build:wasm-train` compiles assembly/training.ts with
 * AssemblyScript (a devDependency) to training.wasm, which is committed, since training does not compile
 * at run time. The flags are fixed here so that a rebuild gives the committed bytes (a test checks it).
 */
import { join } from 'node:path';
import asc from 'assemblyscript/asc';
import { writeFileAtomic } from '../../../shared/artifacts/atomic-fs.ts';
import { TRAINING_WASM } from './load-node.ts';

export const TRAINING_SOURCE = join(import.meta.dirname, 'assembly', 'training.ts');

const FLAGS = [
  '--optimizeLevel',
  '3',
  '--shrinkLevel',
  '0',
  // No bounds-check traps, no abort import: the host passes tensors' own offsets and sizes.
  '--noAssert',
  '--use',
  'abort=',
  // No allocator and no data segment: the module imports tfjs-backend-wasm's memory and must write
  // nothing but the outputs it is given.
  '--runtime',
  'stub',
  '--importMemory',
  '--enable',
  'simd',
];

/** The kernel's bytes as the source compiles today. */
export async function compileTrainingKernels(): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const errors: string[] = [];
  const { error } = await asc.main([TRAINING_SOURCE, '--outFile', 'training.wasm', ...FLAGS], {
    writeFile(name, contents) {
      if (name.endsWith('.wasm')) binary = contents as Uint8Array;
    },
    stderr: { write: (text: string) => errors.push(text) },
  });
  if (error || !binary) throw new Error(`asc failed: ${error?.message ?? ''}\n${errors.join('')}`);
  return binary;
}

if (process.argv[1] === import.meta.filename) {
  await writeFileAtomic(TRAINING_WASM, await compileTrainingKernels());
  console.log(`wrote ${TRAINING_WASM}`);
}
