import { Hono } from 'hono';
import type { Sqlite3 } from 'sqlite-vec-wasm-demo';
import { createApp } from '../../app.ts';
import { errorBody } from '../../errors.ts';
import { consoleLogger, type Logger } from '../../logger.ts';
import type { VectorIndex } from '../../ports.ts';
import { workerLogOptions } from './access-log-env.ts';
import { type ArtifactStore, requireObject } from './artifact-store.ts';
import { combineIndexes, openCompactIndex } from './compact-index.ts';
import { durableCollectionStore } from './durable-collection-store.ts';
import { artifactStoreFor, parseWorkerEnv } from './env.ts';
import { createLiveApp, type Generation } from './live-app.ts';
import { withMemoryReport, workerMemory } from './memory-report.ts';
import { type ArtifactRef, loadWorkersModelRegistry } from './model-registry.ts';
import { withPrecompiledOrt } from './ort-precompiled.ts';
import { currentVersions, servedVersions, verifyCurrentVersions, workerProductOptions } from './product.ts';
import { unsupportedWrites } from './read-only.ts';
import { startPrecompiledSqlite } from './sqlite-modules.ts';
import { currentTtlMs, parseWorkerStateEnv, versionSwitchMode } from './state-env.ts';
import { readVerified } from './verified-read.ts';
import { openWasmVecIndex } from './wasm-vec-index.ts';

const NO_COLLECTIONS: VectorIndex = {
  collections: () => [],
  collection: () => undefined,
  search: (ref) => Promise.reject(new Error(`unknown collection "${ref.name}" of model ${ref.model}`)),
};

/** The routes whose answer may depend on the written collections: they list, search or hold them. */
const NAMES_COLLECTIONS = /^\/v1\/(collections|search|items|recommend)(\/|$)/;

/** Test seams: the clock the `current` pointers' TTL is measured with. */
export interface WorkerOptions {
  now?: () => number;
}

/**
 * The Workers entry: the same app factory as the Node server, with adapters for workerd. An isolate
 * loads the published models and indexes from R2 (or static assets) on its first request; with a D1
 * database bound as STATE it also records events and checks API keys there (d1-state.ts), and
 * recommends from the indexes' stored vectors and histories (item-catalog.ts). It serves those
 * versions until CURRENT_TTL_SECONDS have passed, then re-reads the `current` pointers and switches to
 * what they name (live-app.ts), so a promote or rollback needs no redeploy. A failed first load is
 * logged and answered with 503, and the next request tries again. Writes the Worker does not support
 * are refused before anything is loaded (read-only.ts).
 */
export function createWorker(logger: Logger = consoleLogger, options: WorkerOptions = {}): Hono {
  const live = createLiveApp<unknown>({
    load: (env) => loadApp(env, logger),
    pointers: (env) => currentVersions(artifactStoreFor(parseWorkerEnv(env))),
    ttlMs: currentTtlMs,
    switchMode: versionSwitchMode,
    verify: (env, versions) => verifyCurrentVersions(artifactStoreFor(parseWorkerEnv(env)), versions),
    logger,
    ...(options.now && { now: options.now }),
  });

  return new Hono().use(unsupportedWrites()).all('*', async (c) => {
    try {
      return await live.fetch(c.req.raw, c.env);
    } catch (error) {
      logger.error('cannot load the published models', {
        error: error instanceof Error ? error.message : String(error),
      });
      return c.json(
        errorBody('internal', 'the published models could not be loaded; see the worker log'),
        503,
      );
    }
  });
}

async function loadApp(rawEnv: unknown, logger: Logger): Promise<Generation> {
  const env = parseWorkerEnv(rawEnv);
  const stateEnv = parseWorkerStateEnv(rawEnv);
  const store = artifactStoreFor(env);
  const registry = await withPrecompiledOrt((ort) =>
    loadWorkersModelRegistry(store, ort, { defaultModel: env.DEFAULT_MODEL }),
  );
  let index: VectorIndex & { close?(): void } = NO_COLLECTIONS;
  try {
    if (registry.indexes.length > 0)
      index = await openIndexes(store, registry.indexes, await startPrecompiledSqlite());
    // Worker indexes (worker-index.json): served without SQLite, sharded ones through Durable Objects.
    const compact =
      registry.workerIndexes.length > 0
        ? await openCompactIndex(store, registry.workerIndexes, {
            shards: env.SHARDS,
            shardTimeoutMs: env.SHARD_TIMEOUT_MS,
          })
        : undefined;
    const models = registry.list().map((model) => model.manifest.name);
    const sqliteIndex = index;
    // Written collections need the keys in STATE: writes always need a key.
    const collections =
      stateEnv.COLLECTIONS && stateEnv.STATE ? durableCollectionStore(stateEnv.COLLECTIONS) : undefined;
    const app = createApp({
      registry,
      index: compact ? combineIndexes(models, [compact, index]) : index,
      ...workerProductOptions(index, stateEnv),
      ...workerLogOptions(rawEnv, logger),
      ...(collections && { collections }),
    });
    const opened = index;
    return {
      versions: servedVersions(registry),
      serve: withMemoryReport(
        async (request) => {
          // Another isolate may have created or dropped a written collection since this one last looked.
          if (collections && NAMES_COLLECTIONS.test(new URL(request.url).pathname))
            await collections.refresh();
          return app.fetch(request);
        },
        () => workerMemory(compact, sqliteIndex),
      ),
      async release() {
        opened.close?.();
        await registry.release();
      },
    };
  } catch (error) {
    index.close?.();
    await registry.release();
    throw error;
  }
}

function openIndexes(store: ArtifactStore, refs: readonly ArtifactRef[], sqlite3: Sqlite3) {
  return openWasmVecIndex(
    sqlite3,
    refs.map(({ key, entry }) => ({
      name: key,
      bytes: entry.bytes,
      fill: async (target: Uint8Array) => readVerified(await requireObject(store, key), key, entry, target),
    })),
  );
}
