/**
 * Builds the exact-scan kernel: `npm run build:wasm-scan` compiles assembly/scan.ts with AssemblyScript
 * (a devDependency) to scan.wasm, which is committed, since neither the server nor the Worker compiles
 * at run time. The flags are fixed here so that a rebuild gives the committed bytes (a test checks it).
 */
import { join } from 'node:path';
import asc from 'assemblyscript/asc';
import { writeFileAtomic } from '../../artifacts/atomic-fs.ts';
import { SCAN_WASM } from './load-node.ts';

export const SCAN_SOURCE = join(import.meta.dirname, 'assembly', 'scan.ts');

const FLAGS = [
  '--optimizeLevel',
  '3',
  '--shrinkLevel',
  '0',
  // No bounds-check traps, no abort import: the host checks every pointer and length it passes.
  '--noAssert',
  '--use',
  'abort=',
  // The kernel allocates nothing: the host lays out its memory and imports it.
  '--runtime',
  'stub',
  '--importMemory',
  '--enable',
  'simd',
];

/** The kernel's bytes as the source compiles today. */
export async function compileScanKernel(): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const errors: string[] = [];
  const { error } = await asc.main([SCAN_SOURCE, '--outFile', 'scan.wasm', ...FLAGS], {
    writeFile(name, contents) {
      if (name.endsWith('.wasm')) binary = contents as Uint8Array;
    },
    stderr: { write: (text: string) => errors.push(text) },
  });
  if (error || !binary) throw new Error(`asc failed: ${error?.message ?? ''}\n${errors.join('')}`);
  return binary;
}

if (process.argv[1] === import.meta.filename) {
  await writeFileAtomic(SCAN_WASM, await compileScanKernel());
  console.log(`wrote ${SCAN_WASM}`);
}
