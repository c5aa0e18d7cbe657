import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the Workers build reads and writes, from the repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const WORKER_DIR = join(REPO_ROOT, 'edge/adapters/workers');
/** Binaries copied from packages by prepare-wasm.ts (git-ignored). */
export const WORKER_WASM_DIR = join(WORKER_DIR, 'wasm');
/** sqlite's callback trampolines, compiled copies committed with the source (see trampolines.ts). */
export const TRAMPOLINES_DIR = join(WORKER_DIR, 'sqlite/trampolines');

export const ORT_WASM_SOURCE = join(
  REPO_ROOT,
  'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
);
export const SQLITE_WASM_SOURCE = join(REPO_ROOT, 'node_modules/sqlite-vec-wasm-demo/sqlite3.wasm');
