import * as ort from 'onnxruntime-web/wasm';
import type { OrtModule } from '../../../shared/onnx/text-embedder.ts';
import ortWasm from './wasm/ort-wasm-simd-threaded.wasm';

/**
 * onnxruntime-web inside workerd, which refuses to compile WebAssembly from bytes: the ORT binary must
 * arrive as the WebAssembly.Module wrangler compiled at deploy time. ORT 1.30 has no option for a
 * precompiled module, so this shim
 *   1. sets `env.wasm.wasmBinary` to a sentinel buffer: ORT then passes it to its emscripten loader,
 *      which skips fetching and calls `WebAssembly.instantiate(new Uint8Array(sentinel), imports)`;
 *   2. wraps `WebAssembly.instantiate` while ORT starts, recognising that call by the sentinel's buffer
 *      and instantiating the precompiled module instead. Every other call passes through untouched.
 * `onnxruntime-web/wasm` is the only entry with its loader inlined (others pull the 28 MB WebGPU build).
 * One thread: workerd has no workers to run more. ORT starts once per isolate, inside `start`.
 * The shim test in test/workers/worker.test.ts fails if an ORT upgrade changes any of this.
 */

const SENTINEL = new ArrayBuffer(8);

type Instantiate = (source: unknown, imports?: WebAssembly.Imports) => Promise<unknown>;

/** Runs `start` (which creates the first ORT session) with ORT set up to use the precompiled module. */
export async function withPrecompiledOrt<T>(start: (ort: OrtModule) => Promise<T>): Promise<T> {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = SENTINEL;

  const original = WebAssembly.instantiate;
  const instantiate = original.bind(WebAssembly) as Instantiate;
  const swapped: Instantiate = async (source, imports) => {
    if (!ArrayBuffer.isView(source) || source.buffer !== SENTINEL) return instantiate(source, imports);
    // Given a Module, instantiate resolves to the Instance alone; the loader wants both.
    const instance = (await instantiate(ortWasm, imports)) as WebAssembly.Instance;
    ortMemory = findMemory(instance.exports) ?? findMemory(imports);
    return { instance, module: ortWasm };
  };
  WebAssembly.instantiate = swapped as typeof original;
  try {
    return await start(ort);
  } finally {
    WebAssembly.instantiate = original;
  }
}

/**
 * ORT's WebAssembly memory, once ORT has started: ORT itself starts once per isolate and keeps its
 * instance in module state, so this is kept beside it, for /healthz.
 */
let ortMemory: WebAssembly.Memory | undefined;

export function ortMemoryBytes(): number {
  return ortMemory?.buffer.byteLength ?? 0;
}

/** The first WebAssembly.Memory among an instance's exports or imports (two levels deep). */
function findMemory(namespace: unknown, depth = 0): WebAssembly.Memory | undefined {
  if (namespace instanceof WebAssembly.Memory) return namespace;
  if (depth > 1 || typeof namespace !== 'object' || namespace === null) return undefined;
  for (const value of Object.values(namespace)) {
    const found = findMemory(value, depth + 1);
    if (found) return found;
  }
  return undefined;
}
