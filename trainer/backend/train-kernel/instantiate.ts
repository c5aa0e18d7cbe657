import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { loadTrainingKernels, type TrainingKernels } from './load-node.ts';

const MODULE = loadTrainingKernels();

/** tfjs-backend-wasm's emscripten module, as far as the kernels need it: the memory its tensors live in. */
interface EmscriptenModule {
  asm: { memory: WebAssembly.Memory };
}

/**
 * The training kernels on `backend`'s own memory, so they take tensors' heap offsets as pointers. An
 * instance of the 2 KB module is made per call (microseconds): nothing is kept between calls.
 */
export function trainingKernels(backend: BackendWasm): TrainingKernels {
  const memory = backendMemory(backend);
  return new WebAssembly.Instance(MODULE, { env: { memory } }).exports as unknown as TrainingKernels;
}

/** The memory tfjs-backend-wasm keeps its tensors in (its buffer changes when the memory grows). */
export function backendMemory(backend: BackendWasm): WebAssembly.Memory {
  return (backend.wasm as unknown as EmscriptenModule).asm.memory;
}

/** A tensor's byte offset in the backend's memory. */
export function pointerOf(
  backend: BackendWasm,
  info: { dataId: object; shape: number[]; dtype: string },
): number {
  return backend.typedArrayFromHeap(info as Parameters<BackendWasm['typedArrayFromHeap']>[0]).byteOffset;
}
