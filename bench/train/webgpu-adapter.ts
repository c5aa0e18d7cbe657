import type { GpuAdapter } from '../../shared/manifest.ts';
import { probeWebGpu } from '../../trainer/backend/webgpu.ts';

export type AdapterProbe = { adapter: GpuAdapter; note: string } | { missing: string };

/**
 * The adapter the measuring processes will get, asked once in the parent for the notes. A software
 * adapter (lavapipe) is the CPU stand-in: its figures prove the path works, not how fast a GPU is.
 */
export async function webgpuAdapter(): Promise<AdapterProbe> {
  try {
    const { adapter } = await probeWebGpu();
    const what = `${adapter.vendor} ${adapter.architecture} ${adapter.device} (${adapter.description})`;
    return {
      adapter,
      note: adapter.software
        ? `webgpu ran on a software adapter, ${what}: the CPU stand-in (npm run setup:webgpu-cpu); its ` +
          'figures show the path works, not GPU speed. Real-GPU figures are not measured yet: run ' +
          '`npm run check:gpu` on a machine with a GPU.'
        : `webgpu ran on ${what}.`,
    };
  } catch (error) {
    return {
      missing: `webgpu not measured: ${(error as Error).message}. Real-GPU figures are not measured yet.`,
    };
  }
}
