import { z } from 'zod';
import { GpuAdapterSchema } from '../../shared/manifest.ts';
import { AUTO_ORDER, activateBackend, type ConcreteBackend } from './index.ts';
import { firstLine } from './webgpu.ts';

const PACKAGES: Record<ConcreteBackend, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu (over the webgpu package)',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** One backend as `dml-edge backends` reports it (--json prints a list of these). */
export const BackendStatusSchema = z
  .object({
    backend: z.enum(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']),
    package: z.string(),
    available: z.boolean(),
    /** Whether `--backend auto` would take it (webgpu only on a hardware adapter). */
    usedByAuto: z.boolean(),
    /** Why it is unavailable, or what limits it. */
    note: z.string().optional(),
    adapter: GpuAdapterSchema.optional(),
  })
  .strict();
export type BackendStatus = z.infer<typeof BackendStatusSchema>;

/**
 * Starts every backend in turn and reports what happened: a missing optional package, a missing Vulkan
 * loader, a software-only adapter. Leaves the last backend tried (cpu) active.
 */
export async function backendStatuses(): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const backend of [...AUTO_ORDER, 'cpu'] as const) {
    const base = { backend, package: PACKAGES[backend] };
    try {
      const { adapter } = await activateBackend(backend, { allowSoftwareGpu: true });
      const software = adapter?.software === true;
      statuses.push({
        ...base,
        available: true,
        usedByAuto: false,
        ...(software
          ? {
              note: 'software-only adapter: slower than wasm; used only with --backend webgpu, never by auto',
            }
          : {}),
        ...(adapter ? { adapter } : {}),
      });
    } catch (error) {
      statuses.push({ ...base, available: false, usedByAuto: false, note: unavailableReason(error) });
    }
  }
  const chosen = statuses.find(
    (s) => s.available && AUTO_ORDER.includes(s.backend) && s.adapter?.software !== true,
  );
  if (chosen) chosen.usedByAuto = true;
  return statuses;
}

function unavailableReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ERR_MODULE_NOT_FOUND') return `package not installed: ${firstLine(error)}`;
  return firstLine(error);
}
