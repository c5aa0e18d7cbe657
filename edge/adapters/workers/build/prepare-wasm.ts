import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../../../../shared/artifacts/atomic-fs.ts';
import { ORT_WASM_SOURCE, REPO_ROOT, SQLITE_WASM_SOURCE, WORKER_WASM_DIR } from './paths.ts';
import { dropCustomSections, isDebugInfo } from './wasm-sections.ts';

/**
 * The Workers build step (wrangler.toml's [build], `npm run build:worker`, and the workerd tests' global
 * setup): copies the two WebAssembly binaries the worker imports into
 * edge/adapters/workers/wasm/ (git-ignored). They must sit in the source tree because
 * vitest-pool-workers cannot load `.wasm` modules from node_modules, and wrangler compiles every
 * imported `.wasm` ahead of time, which is the only way workerd accepts WebAssembly. sqlite's DWARF
 * debug info (2.2 of its 4.4 MB) is dropped on the way. Files are rewritten only when their content
 * changes, so `wrangler dev` does not reload for nothing.
 */

const SOURCES = [
  {
    from: ORT_WASM_SOURCE,
    to: 'ort-wasm-simd-threaded.wasm',
    transform: (bytes: Uint8Array) => bytes,
  },
  {
    from: SQLITE_WASM_SOURCE,
    to: 'sqlite3.wasm',
    transform: (bytes: Uint8Array) => dropCustomSections(bytes, isDebugInfo),
  },
] as const;

export interface PreparedWasm {
  path: string;
  bytes: number;
  changed: boolean;
}

export async function prepareWorkerWasm(): Promise<PreparedWasm[]> {
  await mkdir(WORKER_WASM_DIR, { recursive: true });
  const prepared: PreparedWasm[] = [];
  for (const source of SOURCES) {
    const bytes = source.transform(new Uint8Array(await readFile(source.from)));
    const path = join(WORKER_WASM_DIR, source.to);
    const changed = !(await sameContent(path, bytes));
    if (changed) await writeFileAtomic(path, bytes);
    prepared.push({ path, bytes: bytes.length, changed });
  }
  return prepared;
}

async function sameContent(path: string, bytes: Uint8Array): Promise<boolean> {
  try {
    return Buffer.from(bytes).equals(await readFile(path));
  } catch {
    return false;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const file of await prepareWorkerWasm()) {
    const size = `${(file.bytes / 1e6).toFixed(2)} MB`;
    console.log(`${file.changed ? 'wrote' : 'up to date'}: ${relative(REPO_ROOT, file.path)} (${size})`);
  }
}
