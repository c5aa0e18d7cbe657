import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed kernel (built by `npm run build:wasm-scan`). */
export const SCAN_WASM = join(import.meta.dirname, 'scan.wasm');

/** The exact-scan kernel compiled for this process (Node; the Worker imports the .wasm instead). */
export function loadScanKernel(): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(SCAN_WASM));
}
