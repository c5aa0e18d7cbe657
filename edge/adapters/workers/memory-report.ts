import type { VectorIndex } from '../../ports.ts';
import { HealthResponseSchema, type WorkerMemory } from '../../schemas.ts';
import type { CompactIndex } from './compact-index.ts';
import { ortMemoryBytes } from './ort-precompiled.ts';
import { sqliteMemoryBytes } from './sqlite-modules.ts';

type ServeApp = (request: Request) => Response | Promise<Response>;

/** The isolate's WebAssembly memories and what its collections hold. */
export async function workerMemory(
  compact: CompactIndex | undefined,
  sqliteIndex: VectorIndex | undefined,
): Promise<WorkerMemory> {
  const wasm = {
    onnxruntime: ortMemoryBytes(),
    sqlite: await sqliteMemoryBytes(),
    shards: compact?.memoryBytes() ?? 0,
  };
  return {
    wasm_bytes: wasm,
    total_wasm_bytes: wasm.onnxruntime + wasm.sqlite + wasm.shards,
    collections: [
      ...(compact?.layout() ?? []),
      ...(sqliteIndex?.collections() ?? []).map((info) => ({
        collection: info.name,
        model: info.model,
        items: info.items,
        shards: 1,
        where: 'sqlite' as const,
        shard_wasm_bytes: [],
      })),
    ],
  };
}

/** Adds `memory` to the app's GET /healthz answer. */
export function withMemoryReport(serve: ServeApp, memory: () => Promise<WorkerMemory>): ServeApp {
  return async (request) => {
    const response = await serve(request);
    if (request.method !== 'GET' || new URL(request.url).pathname !== '/healthz' || !response.ok)
      return response;
    const body = HealthResponseSchema.parse(await response.json());
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return Response.json({ ...body, memory: await memory() }, { status: response.status, headers });
  };
}
