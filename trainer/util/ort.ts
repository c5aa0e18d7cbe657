import * as ort from 'onnxruntime-web';

/** onnxruntime-web as the edge runs it: single-threaded WASM (Node has no cross-origin isolation). */
export function nodeOrt(): typeof ort {
  ort.env.wasm.numThreads = 1;
  return ort;
}
