import { Hono } from 'hono';
import type { Sqlite3 } from 'sqlite-vec-wasm-demo';
import { createApp } from '../../app.ts';
import { errorBody } from '../../errors.ts';
import { consoleLogger, type Logger } from '../../logger.ts';
import type { VectorIndex } from '../../ports.ts';
import { type ArtifactStore, requireObject } from './artifact-store.ts';
import { artifactStoreFor, parseWorkerEnv } from './env.ts';
import { type ArtifactRef, loadWorkersModelRegistry } from './model-registry.ts';
import { withPrecompiledOrt } from './ort-precompiled.ts';
import { readOnlySnapshot } from './read-only.ts';
import { startPrecompiledSqlite } from './sqlite-modules.ts';
import { readVerified } from './verified-read.ts';
import { openWasmVecIndex } from './wasm-vec-index.ts';

type ServeApp = (request: Request) => Response | Promise<Response>;

const NO_COLLECTIONS: VectorIndex = {
  collections: () => [],
  collection: () => undefined,
  search: (name) => Promise.reject(new Error(`unknown collection "${name}"`)),
};

/**
 * The Workers entry: the same app factory as the Node server, with adapters for workerd. An isolate
 * loads the published models and indexes from R2 (or static assets) on its first request and keeps
 * them for its lifetime (a new version goes live as isolates are replaced, or at once with
 * `npm run deploy`). A failed load is logged and answered with 503, and the next request tries again.
 * Write requests are refused before anything is loaded (read-only.ts).
 */
export function createWorker(logger: Logger = consoleLogger): Hono {
  let app: Promise<ServeApp> | undefined;
  const appFor = (env: unknown): Promise<ServeApp> =>
    (app ??= loadApp(env).catch((error: unknown) => {
      app = undefined;
      throw error;
    }));

  return new Hono().use(readOnlySnapshot()).all('*', async (c) => {
    let serve: ServeApp;
    try {
      serve = await appFor(c.env);
    } catch (error) {
      logger.error('cannot load the published models', {
        error: error instanceof Error ? error.message : String(error),
      });
      return c.json(
        errorBody('internal', 'the published models could not be loaded; see the worker log'),
        503,
      );
    }
    return serve(c.req.raw);
  });
}

async function loadApp(rawEnv: unknown): Promise<ServeApp> {
  const env = parseWorkerEnv(rawEnv);
  const store = artifactStoreFor(env);
  const registry = await withPrecompiledOrt((ort) =>
    loadWorkersModelRegistry(store, ort, { defaultModel: env.DEFAULT_MODEL }),
  );
  let index: VectorIndex & { close?(): void } = NO_COLLECTIONS;
  try {
    if (registry.indexes.length > 0)
      index = await openIndexes(store, registry.indexes, await startPrecompiledSqlite());
    const app = createApp({ registry, index });
    return (request) => app.fetch(request);
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
