import { readFile } from 'node:fs/promises';
import type { Sqlite3 } from 'sqlite-vec-wasm-demo';
import { type SqliteWasmModules, startSqliteVec } from '../sqlite-precompiled.ts';
import { SQLITE_WASM_SOURCE } from './paths.ts';

/**
 * The Workers sqlite start-up run in Node, where compiling from bytes is allowed: every module the glue
 * asks for is compiled on the spot and reported to `onTrampoline`. Tests use it to run the Workers
 * index code in Node and to record which trampolines the glue needs.
 */
export async function startSqliteVecInNode(
  onTrampoline: (bytes: Uint8Array) => void = () => undefined,
): Promise<Sqlite3> {
  // Taken before the start-up routes `new WebAssembly.Module` to the trampoline callback.
  const CompiledModule = WebAssembly.Module;
  const modules: SqliteWasmModules = {
    sqlite: await WebAssembly.compile(await readFile(SQLITE_WASM_SOURCE)),
    trampoline(bytes) {
      const copy = bytes.slice();
      onTrampoline(copy);
      return new CompiledModule(copy);
    },
  };
  return startSqliteVec(modules);
}
