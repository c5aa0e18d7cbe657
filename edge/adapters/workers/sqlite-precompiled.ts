import sqlite3InitModule, { type Sqlite3 } from 'sqlite-vec-wasm-demo';

/**
 * Starts the official sqlite-vec WebAssembly build (`sqlite-vec-wasm-demo`, pinned at 0.1.9) without
 * compiling any WebAssembly: workerd refuses to. The package is used unpatched; its emscripten 5 glue
 * needs five adjustments, each scoped to this start-up:
 *   - `instantiateWasm` hands over sqlite3.wasm as a module compiled ahead of time.
 *   - sqlite's glue turns JS callbacks into wasm functions by compiling a tiny module per signature
 *     (`jsFuncToWasm`); `new WebAssembly.Module` is routed to `modules.trampoline`, which returns
 *     precompiled copies (sqlite/trampolines/, checked against the glue by build/trampolines.test.ts).
 *   - The glue only runs in a browser or web worker: it wants `WorkerGlobalScope` and refuses
 *     anything with `process.versions.node` (vitest-pool-workers always turns Node compatibility on).
 *   - emscripten runs the module before sqlite's own set-up registers, then aborts ("Attempt to set
 *     Module.postRun after it has already been processed"); a `setStatus` callback makes the start
 *     wait a tick, so the set-up registers first. The tick is a timer, so in workerd this must run
 *     inside a request, not at module top level.
 *   - It reads `Module.HEAPU64` as a flag for 64-bit integer support, which this build aborts on
 *     unless the option is set.
 */

export interface SqliteWasmModules {
  /** sqlite3.wasm, compiled ahead of time. */
  sqlite: WebAssembly.Module;
  /** The compiled module for these bytes, one of the glue's callback trampolines. */
  trampoline(bytes: Uint8Array): WebAssembly.Module;
}

export async function startSqliteVec(modules: SqliteWasmModules): Promise<Sqlite3> {
  const undo = [pretendWorkerScope(), hideNodeProcess(), routeModuleCompiles(modules.trampoline)];
  try {
    return await sqlite3InitModule({
      instantiateWasm(imports, done) {
        WebAssembly.instantiate(modules.sqlite, imports).then((instance) => done(instance, modules.sqlite));
        return {};
      },
      setStatus: () => undefined,
      HEAPU64: true,
      print: (text) => console.log(text),
      printErr: (text) => console.error(text),
    });
  } finally {
    for (const restore of undo.reverse()) restore();
  }
}

type Restore = () => void;

/** Replaces a global for the start-up; returns how to put the original back. */
function overrideGlobal(name: string, value: unknown): Restore {
  const original = Object.getOwnPropertyDescriptor(globalThis, name);
  Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  return () => {
    if (original) Object.defineProperty(globalThis, name, original);
    else Reflect.deleteProperty(globalThis, name);
  };
}

function pretendWorkerScope(): Restore {
  return 'WorkerGlobalScope' in globalThis ? () => undefined : overrideGlobal('WorkerGlobalScope', class {});
}

function hideNodeProcess(): Restore {
  return 'process' in globalThis ? overrideGlobal('process', undefined) : () => undefined;
}

function routeModuleCompiles(trampoline: (bytes: Uint8Array) => WebAssembly.Module): Restore {
  // Called with `new`: returning an object from a constructor makes it the result.
  function PrecompiledModule(bytes: BufferSource): WebAssembly.Module {
    return trampoline(toBytes(bytes));
  }
  const wasm = WebAssembly as { Module: unknown };
  const original = wasm.Module;
  wasm.Module = PrecompiledModule;
  return () => {
    wasm.Module = original;
  };
}

function toBytes(source: BufferSource): Uint8Array {
  return ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
    : new Uint8Array(source);
}
