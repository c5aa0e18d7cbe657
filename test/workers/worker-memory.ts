import { WorkerMemorySchema } from '../../edge/schemas.ts';

/**
 * The Worker's /healthz adds `memory` (its WebAssembly memories, edge/adapters/workers/memory-report.ts),
 * which the Node server has no counterpart for: parity checks compare the rest. Fails when it is absent.
 */
export function withoutWorkerMemory<T extends { body: unknown }>(reply: T): T {
  const { memory, ...body } = reply.body as { memory?: unknown };
  WorkerMemorySchema.parse(memory);
  return { ...reply, body };
}
