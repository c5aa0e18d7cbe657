import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { z } from 'zod';
import { ModelNameSchema } from '../../../shared/manifest.ts';
import { createApp } from '../../app.ts';
import { BatchingSchema, LimitsSchema } from '../../limits.ts';
import { loadNodeModelRegistry } from './model-registry.ts';
import { openSqliteVecIndex, type SqliteVecIndex } from './sqlite-vec-index.ts';

export const NodeServerOptionsSchema = z
  .object({
    /** Loopback by default: exposing the server is a deliberate choice (HOST=0.0.0.0). */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: z.coerce.number().int().min(0).max(65_535).default(8787),
    artifactsDir: z.string().min(1).default('artifacts'),
    defaultModel: ModelNameSchema.optional(),
    limits: LimitsSchema.optional(),
    batching: BatchingSchema.optional(),
  })
  .strict();
export type NodeServerOptions = z.input<typeof NodeServerOptionsSchema>;

export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:8787 (with the actual port when 0 was asked for). */
  url: string;
  /** Stops accepting connections, waits for open ones to finish, then frees the models and indexes. */
  close(): Promise<void>;
}

/**
 * Serves every published model and collection under `artifactsDir` over HTTP. Rejects, with a message
 * naming the file, when an artifact fails verification or the port cannot be bound.
 */
export async function startNodeServer(input: NodeServerOptions = {}): Promise<RunningServer> {
  const options = NodeServerOptionsSchema.parse(input);
  const registry = await loadNodeModelRegistry(options);
  let index: SqliteVecIndex;
  try {
    index = openSqliteVecIndex(registry.indexPaths);
  } catch (error) {
    await registry.close();
    throw error;
  }
  const release = async () => {
    index.close();
    await registry.close();
  };

  try {
    const app = createApp({ registry, index, limits: options.limits, batching: options.batching });
    const server = createAdaptorServer({ fetch: app.fetch });
    const address = await listen(server, options.port, options.host);
    return {
      url: `http://${formatHost(address.address)}:${address.port}`,
      async close() {
        await new Promise<void>((resolve, reject) =>
          server.close((error) => (error ? reject(error) : resolve())),
        );
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

function listen(server: ServerType, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
