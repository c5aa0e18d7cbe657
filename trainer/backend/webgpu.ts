import { existsSync } from 'node:fs';
import type { GpuAdapter } from '../../shared/manifest.ts';

/**
 * WebGPU in Node: Dawn's bindings (the `webgpu` package, a prebuilt binary) under TensorFlow.js'
 * tfjs-backend-webgpu. On Linux Dawn drives the GPU through Vulkan, so it needs libvulkan1 and the
 * vendor's Vulkan driver; Mesa's lavapipe (Mesa >= 25, `npm run setup:webgpu-cpu`) is a CPU stand-in.
 */

/** Why WebGPU cannot run here, in words for `dml-edge backends` and the backend error. */
export class WebGpuUnavailable extends Error {}

export interface WebGpuProbe {
  gpu: GPU;
  /** The WebGPU constants and classes (GPUBufferUsage, GPUMapMode, ...) a browser has as globals. */
  globals: object;
  adapter: GpuAdapter;
}

/**
 * Creates Dawn's GPU object and asks for the high-performance adapter, as tfjs-backend-webgpu will. A
 * software adapter (lavapipe, SwiftShader) comes back marked `software`; the caller decides whether it
 * will do. The GPU object keeps Node alive while referenced: drop it (or call releaseWebGpu) when done.
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  let module: typeof import('webgpu');
  try {
    module = await import('webgpu');
  } catch (error) {
    throw new WebGpuUnavailable(`the webgpu package does not load: ${firstLine(error)}`);
  }
  const gpu = module.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new WebGpuUnavailable(noAdapterReason());
  return { gpu, globals: module.globals, adapter: describeAdapter(adapter.info) };
}

export function describeAdapter(info: GPUAdapterInfo): GpuAdapter {
  // isFallbackAdapter is newer than some type packages: read it without trusting the declaration.
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: fallback || info.architecture === 'software',
  };
}

/** Library folders where Debian, Ubuntu and Fedora put the Vulkan loader. */
const VULKAN_LOADER_PATHS = [
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/aarch64-linux-gnu/libvulkan.so.1',
  '/usr/lib64/libvulkan.so.1',
  '/usr/lib/libvulkan.so.1',
];

function noAdapterReason(): string {
  if (process.platform === 'linux' && !VULKAN_LOADER_PATHS.some((path) => existsSync(path))) {
    return 'no WebGPU adapter: no Vulkan loader (libvulkan.so.1; install libvulkan1, or run npm run setup:webgpu-cpu for the CPU stand-in)';
  }
  return (
    'no WebGPU adapter: the Vulkan loader found no usable driver (a GPU needs its vendor Vulkan driver; in ' +
    "NVIDIA containers NVIDIA_DRIVER_CAPABILITIES must include 'graphics'; Mesa older than 25 is refused)"
  );
}

/** The global tfjs-backend-webgpu reads, `navigator.gpu`: Node 20 has no navigator, Node 21+ has one. */
interface NavigatorHolder {
  navigator?: { gpu?: GPU };
}

/**
 * Gives Node what a browser has and tfjs-backend-webgpu uses: navigator.gpu (read at import to register
 * the backend, and for the adapter when it starts) and the WebGPU globals (GPUBufferUsage, ...). These
 * globals are the package's contract, not our state; releaseWebGpu removes navigator.gpu.
 */
export function installWebGpuGlobals({ gpu, globals }: Pick<WebGpuProbe, 'gpu' | 'globals'>): void {
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in globalThis))
      Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const holder = globalThis as NavigatorHolder;
  if (holder.navigator) Object.defineProperty(holder.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

/** Drops navigator.gpu so Node can exit (Dawn keeps the process alive while it is referenced). */
export function releaseWebGpu(): void {
  const holder = globalThis as NavigatorHolder;
  if (holder.navigator?.gpu) delete holder.navigator.gpu;
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
