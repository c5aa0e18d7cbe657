import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { z } from 'zod';
import { ModelNameSchema } from '../../../shared/manifest.ts';
import { parseOrThrow } from '../../../shared/validation.ts';
import { BatchingSchema, LimitsSchema, RateLimitsSchema } from '../../limits.ts';
import type { Logger } from '../../logger.ts';
import { CorsSchema } from '../../middleware/cors.ts';
import { nodeClientAddress } from './client-address.ts';
import { answerUnparsableRequests } from './client-errors.ts';
import {
  defaultCollectionsPath,
  openCollectionStore,
  type SqliteCollectionStore,
} from './collection-store.ts';
import { createHotSwapApp, type HotSwapApp, type ReloadOutcome, type Served } from './hot-swap.ts';
import { nodeModelAdmin } from './model-admin.ts';
import { createPromMetrics } from './prom-metrics.ts';
import { SearchOptionsSchema } from './search-options.ts';
import { defaultStatePath, openStateDb } from './state-db.ts';

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
    /** How often the `current` pointers are checked for a newly promoted version; 0: only on reload. */
    watchIntervalMs: z.number().int().min(0).default(1000),
    /** Reload on SIGHUP, as nginx does (`systemctl reload`, `kill -HUP`). */
    reloadOnSighup: z.boolean().default(true),
    /** The writable state (API keys, recorded events); `<artifactsDir>/state.db` when omitted. */
    stateDb: z.string().min(1).optional(),
    /**
     * The collections clients write (POST /v1/collections); `<artifactsDir>/collections.db` when omitted.
     * Beside the published versions, never inside one: a promotion or a reload leaves it as it is.
     */
    collectionsDb: z.string().min(1).optional(),
    /** Reads need an API key too (writes always do). */
    requireKeys: z.boolean().default(false),
    /** How /v1/search searches: through each collection's graph (default) or exactly; see search-options.ts. */
    search: SearchOptionsSchema.optional(),
    /** Per-address and per-key request rates (off by default; see SECURITY.md). */
    rateLimits: RateLimitsSchema.optional(),
    /** Browser origins allowed to call the API (none by default). */
    cors: CorsSchema.optional(),
    /** Behind a reverse proxy: the client address is the last one in X-Forwarded-For, not the socket's. */
    trustProxy: z.boolean().default(false),
    /** A request (headers and body) must arrive within this time, so slow clients cannot hold sockets. */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** One log line per request (method, path, status, ms, model@version, request id). */
    accessLog: z.boolean().default(true),
    /** GET /metrics (Prometheus): open like /healthz, behind a key with the read scope, or off. */
    metrics: z.enum(['open', 'key', 'off']).default('open'),
    /** Where the access log, model swaps and internal errors go (JSON lines on stderr by default). */
    logger: z
      .custom<Logger>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as Logger).info === 'function' &&
          typeof (value as Logger).error === 'function',
        'logger must have info and error methods',
      )
      .optional(),
  })
  .strict();
export type NodeServerOptions = z.input<typeof NodeServerOptionsSchema>;

export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:8787 (with the actual port when 0 was asked for). */
  url: string;
  /** Serves the versions the `current` pointers name now, without dropping a request (see hot-swap.ts). */
  reload(): Promise<ReloadOutcome>;
  /** The models (default first) and collections served now; describeServing() puts them in words. */
  served(): Served;
  /** Where GET /metrics stands: open, behind a key, or off. */
  readonly metrics: 'open' | 'key' | 'off';
  /** Stops accepting connections, waits for open ones to finish, then frees the models and indexes. */
  close(): Promise<void>;
}

/**
 * Serves every published model and collection under `artifactsDir` over HTTP, and follows the `current`
 * pointers: a newly promoted or rolled-back version is swapped in between requests. Rejects, with a
 * message naming the file, when an artifact fails verification or the port cannot be bound.
 */
export async function startNodeServer(input: NodeServerOptions = {}): Promise<RunningServer> {
  const options = parseOrThrow(NodeServerOptionsSchema, input, 'invalid server options');
  const state = await openStateDb(options.stateDb ?? defaultStatePath(options.artifactsDir));
  let collections: SqliteCollectionStore;
  try {
    collections = await openCollectionStore(
      options.collectionsDb ?? defaultCollectionsPath(options.artifactsDir),
      options.search,
    );
  } catch (error) {
    state.close();
    throw error;
  }
  const closeStores = () => {
    collections.close();
    state.close();
  };
  // Set once close() starts: /readyz then answers 503, so a load balancer stops sending while it drains.
  let closing = false;
  let live: HotSwapApp;
  try {
    live = await createHotSwapApp({
      artifactsDir: options.artifactsDir,
      defaultModel: options.defaultModel,
      limits: options.limits,
      batching: options.batching,
      state: { events: state.events, keys: state.keys, requireKeys: options.requireKeys, collections },
      access: {
        rateLimits: options.rateLimits,
        clientAddress: nodeClientAddress(options.trustProxy),
        cors: options.cors,
        // Admin requests arrive only once the server listens, by when `live` is set.
        admin: nodeModelAdmin(options.artifactsDir, () => live),
      },
      operations: {
        accessLog: options.accessLog,
        // One instance per server: its counters go on across model swaps and are never shared.
        ...(options.metrics === 'off' ? {} : { metrics: createPromMetrics() }),
        metricsNeedKey: options.metrics === 'key',
        notReady: () => (closing ? 'the server is shutting down' : undefined),
      },
      watchIntervalMs: options.watchIntervalMs,
      search: options.search,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  } catch (error) {
    closeStores();
    throw error;
  }
  try {
    const timeout = options.requestTimeoutMs;
    const server = createAdaptorServer({
      fetch: live.fetch,
      // Node checks for expired requests every connectionsCheckingInterval (30 s unless told).
      serverOptions: {
        requestTimeout: timeout,
        headersTimeout: timeout,
        connectionsCheckingInterval: timeout / 4,
      },
    }) as Server;
    answerUnparsableRequests(server);
    const address = await listen(server, options.port, options.host);
    const reload = () => live.reload({ force: true });
    const onHangUp = () => void reload();
    if (options.reloadOnSighup) process.on('SIGHUP', onHangUp);
    return {
      url: `http://${formatHost(address.address)}:${address.port}`,
      reload,
      served: () => live.served(),
      metrics: options.metrics,
      async close() {
        closing = true;
        process.off('SIGHUP', onHangUp);
        await new Promise<void>((resolve, reject) =>
          server.close((error) => (error ? reject(error) : resolve())),
        );
        await live.close();
        closeStores();
      },
    };
  } catch (error) {
    await live.close();
    closeStores();
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
