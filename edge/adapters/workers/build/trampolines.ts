import { readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trampolineName } from '../sqlite-trampolines.ts';
import { startSqliteVecInNode } from './node-sqlite.ts';
import { TRAMPOLINES_DIR } from './paths.ts';

/**
 * Records the callback trampolines sqlite's glue compiles while it starts (see sqlite-trampolines.ts),
 * by name. Run this file to rewrite sqlite/trampolines/ after upgrading sqlite-vec-wasm-demo;
 * trampolines.test.ts fails until the committed copies match the glue.
 */
export async function captureTrampolines(): Promise<Map<string, Uint8Array>> {
  const captured = new Map<string, Uint8Array>();
  await startSqliteVecInNode((bytes) => captured.set(trampolineName(bytes), bytes));
  return captured;
}

export async function writeTrampolines(trampolines: Map<string, Uint8Array>): Promise<void> {
  for (const name of await readdir(TRAMPOLINES_DIR)) {
    if (name.endsWith('.wasm')) await rm(join(TRAMPOLINES_DIR, name));
  }
  for (const [name, bytes] of trampolines) await writeFile(join(TRAMPOLINES_DIR, `${name}.wasm`), bytes);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const trampolines = await captureTrampolines();
  await writeTrampolines(trampolines);
  console.log(`wrote ${[...trampolines.keys()].sort().join(', ')} to ${TRAMPOLINES_DIR}`);
}
