import * as tf from '@tensorflow/tfjs';
import { activateBackend, type BackendInfo } from './index.ts';

/**
 * Validation, export checks and indexing embed with TF.js and hand arrays back synchronously (dataSync),
 * which WebGPU in Node cannot do. The weights are host arrays, so those paths run on wasm instead while
 * training stays on the GPU; on every other backend they run where they are.
 */
export async function onHostBackend<T>(work: () => Promise<T>): Promise<T> {
  const current = tf.getBackend();
  if (current !== 'webgpu') return work();
  await activateBackend('wasm', { allowSoftwareGpu: false });
  const result = await work().finally(() => tf.setBackend(current));
  // tf.setBackend reports failure by returning false, not by throwing.
  if (tf.getBackend() !== current) throw new Error(`could not switch back to the ${current} backend`);
  return result;
}

/**
 * Makes the run's backend the active one again before it trains: an earlier run in the same process
 * (protocol folds, retraining inside a server) may have left wasm active after training on webgpu.
 */
export async function trainOn(backend: BackendInfo): Promise<void> {
  if (tf.getBackend() === backend.name) return;
  if (!(await tf.setBackend(backend.name))) throw new Error(`tf.setBackend('${backend.name}') failed`);
}

/** After training on webgpu, the stages that follow (export, evaluation, index) run on wasm. */
export async function leaveDeviceBackend(): Promise<void> {
  if (tf.getBackend() === 'webgpu') await activateBackend('wasm', { allowSoftwareGpu: false });
}
