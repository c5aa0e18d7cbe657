import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './wasm-kernels.ts';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendInfo {
  /** What the user asked for. */
  requested: BackendChoice;
  /** The tfjs backend name in use ('tensorflow', 'wasm', 'cpu'). */
  name: string;
  /** The package that provides it. */
  package: string;
}

/**
 * Picks the fastest backend that is installed: tfjs-node-gpu (CUDA), tfjs-node (native CPU), then wasm
 * with our training kernels. The native packages are optional dependencies that cannot install on every
 * machine, so they are imported only when present.
 */
export async function initBackend(requested: BackendChoice = 'auto'): Promise<BackendInfo> {
  const candidates: Exclude<BackendChoice, 'auto'>[] =
    requested === 'auto' ? ['tensorflow-gpu', 'tensorflow', 'wasm'] : [requested];
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      return { requested, ...(await activate(candidate)) };
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (${failures.join('; ')})`);
}

async function activate(choice: Exclude<BackendChoice, 'auto'>): Promise<Omit<BackendInfo, 'requested'>> {
  switch (choice) {
    case 'tensorflow-gpu':
      await import('@tensorflow/tfjs-node-gpu' as string);
      return setAndReport('tensorflow', '@tensorflow/tfjs-node-gpu');
    case 'tensorflow':
      await import('@tensorflow/tfjs-node' as string);
      return setAndReport('tensorflow', '@tensorflow/tfjs-node');
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmTrainingKernels();
      return setAndReport('wasm', '@tensorflow/tfjs-backend-wasm');
    case 'cpu':
      return setAndReport('cpu', '@tensorflow/tfjs-backend-cpu');
  }
}

async function setAndReport(name: string, pkg: string): Promise<Omit<BackendInfo, 'requested'>> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  return { name, package: pkg };
}
