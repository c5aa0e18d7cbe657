import type { Sqlite3 } from 'sqlite-vec-wasm-demo';
import i_i from './sqlite/trampolines/i_i.wasm';
import i_ii from './sqlite/trampolines/i_ii.wasm';
import i_iii from './sqlite/trampolines/i_iii.wasm';
import i_iiii from './sqlite/trampolines/i_iiii.wasm';
import i_iiij from './sqlite/trampolines/i_iiij.wasm';
import i_ij from './sqlite/trampolines/i_ij.wasm';
import { type SqliteWasmModules, startSqliteVec } from './sqlite-precompiled.ts';
import { trampolineName } from './sqlite-trampolines.ts';
import sqlite from './wasm/sqlite3.wasm';

/** sqlite3.wasm and its callback trampolines as wrangler compiles them at deploy time. */
const TRAMPOLINES: Record<string, WebAssembly.Module> = { i_i, i_ii, i_iii, i_iiii, i_iiij, i_ij };

export const PRECOMPILED_SQLITE: SqliteWasmModules = {
  sqlite,
  trampoline(bytes) {
    const name = trampolineName(bytes);
    const module = TRAMPOLINES[name];
    if (!module) {
      throw new Error(
        `sqlite wants a trampoline ${name} that was not precompiled; run edge/adapters/workers/build/trampolines.ts`,
      );
    }
    return module;
  },
};

let started: Promise<Sqlite3> | undefined;

/**
 * sqlite-vec for this isolate, started on first use. Once per isolate by necessity: the glue keeps one
 * sqlite3 object per global scope, so a second start would allocate a new instance and return the first.
 */
export function startPrecompiledSqlite(): Promise<Sqlite3> {
  started ??= startSqliteVec(PRECOMPILED_SQLITE).catch((error: unknown) => {
    started = undefined;
    throw error;
  });
  return started;
}

/** SQLite's WebAssembly memory in bytes, or 0 when this isolate has not started SQLite (for /healthz). */
export async function sqliteMemoryBytes(): Promise<number> {
  if (!started) return 0;
  return (await started).wasm.heap8u().buffer.byteLength;
}
