import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { GpuAdapterSchema } from '../../shared/manifest.ts';
import { registerWasmTrainingKernels } from './wasm-kernels.ts';
import {
  describeAdapter,
  firstLine,
  installWebGpuGlobals,
  probeWebGpu,
  WebGpuUnavailable,
} from './webgpu.ts';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type ConcreteBackend = Exclude<BackendChoice, 'auto'>;

/** What `auto` tries, fastest first. webgpu counts only with a hardware adapter there. */
export const AUTO_ORDER: readonly ConcreteBackend[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm'];

export const BackendInfoSchema = z.object({
  /** What the user asked for. */
  requested: z.enum(BACKEND_CHOICES),
  /** The tfjs backend name in use ('tensorflow', 'webgpu', 'wasm', 'cpu'). */
  name: z.string(),
  /** The package that provides it. */
  package: z.string(),
  /** The WebGPU adapter, when the backend is webgpu. */
  adapter: GpuAdapterSchema.optional(),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

/**
 * Picks the fastest backend that works here: tfjs-node-gpu (CUDA), WebGPU on a hardware adapter,
 * tfjs-node (native CPU), then wasm with our training kernels. The native packages are optional
 * dependencies that cannot install on every machine, so they are imported only when present. A software
 * WebGPU adapter (the CPU stand-in) is slower than wasm, so only `webgpu` asked for by name takes it.
 */
export async function initBackend(requested: BackendChoice = 'auto'): Promise<BackendInfo> {
  const candidates = requested === 'auto' ? AUTO_ORDER : [requested];
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      return { requested, ...(await activateBackend(candidate, { allowSoftwareGpu: requested !== 'auto' })) };
    } catch (error) {
      failures.push(`${candidate}: ${firstLine(error)}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could start (${failures.join('; ')})`);
}

/** One line for logs: the backend, its package and, on webgpu, the adapter. */
export function describeBackend(backend: Omit<BackendInfo, 'requested'>): string {
  const { adapter } = backend;
  const gpu = adapter
    ? `; adapter ${adapter.vendor} ${adapter.architecture} ${adapter.device} (${adapter.description})` +
      (adapter.software ? ', software' : '')
    : '';
  return `${backend.name} (${backend.package}${gpu})`;
}

export async function activateBackend(
  choice: ConcreteBackend,
  options: { allowSoftwareGpu: boolean },
): Promise<Omit<BackendInfo, 'requested'>> {
  switch (choice) {
    case 'tensorflow-gpu':
      await import('@tensorflow/tfjs-node-gpu' as string);
      return setAndReport('tensorflow', '@tensorflow/tfjs-node-gpu');
    case 'webgpu':
      return activateWebGpu(options.allowSoftwareGpu);
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

/**
 * WebGPU has every training kernel in its own WGSL shaders (our wasm kernels are not used there).
 * navigator.gpu must exist before tfjs-backend-webgpu is imported, and tf.setBackend('webgpu') reports
 * failure by returning false, so both are checked. A process starts Dawn once: a second instance would
 * replace navigator.gpu and let the first, which the running backend's device belongs to, be collected.
 */
async function activateWebGpu(allowSoftware: boolean): Promise<Omit<BackendInfo, 'requested'>> {
  // The running backend's device knows its adapter (GPUDevice.adapterInfo).
  const running = (tf.findBackend('webgpu') as { device?: GPUDevice } | null)?.device;
  const probe = running ? undefined : await probeWebGpu();
  const adapter = probe?.adapter ?? describeAdapter(running!.adapterInfo);
  if (adapter.software && !allowSoftware) {
    throw new WebGpuUnavailable(
      `software-only adapter (${adapter.description}): slower than wasm, used only with --backend webgpu`,
    );
  }
  if (probe) {
    installWebGpuGlobals(probe);
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  return { ...(await setAndReport('webgpu', '@tensorflow/tfjs-backend-webgpu')), adapter };
}

async function setAndReport(name: string, pkg: string): Promise<Omit<BackendInfo, 'requested'>> {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  return { name, package: pkg };
}
