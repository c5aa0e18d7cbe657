/**
 * Builds the exact-scan kernel: `npm run build:wasm-scan` compiles assembly/scan.ts with AssemblyScript
 * (a devDependency) to scan.wasm, which is committed, since neither the server nor the Worker compiles
 * at run time; shared/assemblyscript/compile-kernel.ts fixes the flags (a test checks the bytes).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../artifacts/atomic-fs.ts';
import { compileKernel } from '../../assemblyscript/compile-kernel.ts';
import { SCAN_WASM } from './load-node.ts';

export const SCAN_SOURCE = join(import.meta.dirname, 'assembly', 'scan.ts');

/** The kernel's bytes as the source compiles today. */
export function compileScanKernel(): Promise<Uint8Array> {
  return compileKernel(SCAN_SOURCE, 'scan.wasm');
}

if (process.argv[1] === import.meta.filename) {
  await writeFileAtomic(SCAN_WASM, await compileScanKernel());
  console.log(`wrote ${SCAN_WASM}`);
}
