import { listModels, readCurrent } from '../../../shared/artifacts/index.ts';
import { type AppOptions, createApp } from '../../app.ts';
import { type Logger, stderrLogger } from '../../logger.ts';
import type { CollectionInfo, LoadedModel } from '../../ports.ts';
import { openSqliteItemCatalog } from './item-catalog.ts';
import { loadNodeModelRegistry } from './model-registry.ts';
import type { SearchOptions } from './search-options.ts';
import { openSqliteVecIndex } from './sqlite-vec-index.ts';

/**
 * Zero-downtime model updates for the Node server. Each set of published versions (what the artifacts'
 * `current` pointers name) is served by its own generation: models, index and app built with the usual
 * loadNodeModelRegistry + openSqliteVecIndex + createApp. When a pointer moves, the new generation is
 * loaded and verified off to the side while the old one keeps answering; then new requests go to the new
 * one, and the old one is closed once the requests it already took have finished. A new set of versions
 * that fails to load (a bad file, a broken pointer) is logged and never served; the old one stays.
 */
export interface HotSwapOptions {
  artifactsDir: string;
  defaultModel?: string;
  limits?: AppOptions['limits'];
  batching?: AppOptions['batching'];
  /** The server's writable state and key policy, the same for every generation. */
  state?: Pick<AppOptions, 'events' | 'keys' | 'requireKeys' | 'collections'>;
  /** Rate limits, CORS and the admin endpoints, the same for every generation. */
  access?: Pick<AppOptions, 'rateLimits' | 'clientAddress' | 'cors' | 'admin'>;
  /**
   * The access log, metrics and readiness, the same for every generation: one metrics instance for the
   * server, so counters go on across swaps.
   */
  operations?: Pick<AppOptions, 'accessLog' | 'metrics' | 'metricsNeedKey' | 'notReady'>;
  /** How often the `current` pointers are read; 0 reloads only when reload() is called. */
  watchIntervalMs: number;
  /** How the vector index searches (graph or exact, and the graph's ef). */
  search?: SearchOptions;
  logger?: SwapLogger;
}

/** The app's logger: swaps are logged at info, failures at error. */
export type SwapLogger = Logger;

export type ReloadOutcome =
  | { status: 'unchanged'; serving: string[] }
  | { status: 'swapped'; from: string[]; serving: string[] }
  | { status: 'failed'; error: string; serving: string[] };

export interface HotSwapApp {
  /** The request handler to give the HTTP server. */
  fetch(request: Request, env?: unknown): Promise<Response>;
  /** `<model>@<version>` of every model the live generation serves, sorted. */
  serving(): string[];
  /** The models (default first) and collections the live generation serves. */
  served(): Served;
  /**
   * Swaps generations if a pointer moved. A failure is logged once until it changes or `force` is given
   * (SIGHUP), so a broken publish does not flood the log at every tick.
   */
  reload(options?: { force?: boolean }): Promise<ReloadOutcome>;
  /** Stops watching and frees every generation once its requests have finished. */
  close(): Promise<void>;
}

/** What a generation serves. */
export interface Served {
  /** Default first. */
  models: readonly LoadedModel[];
  collections: readonly CollectionInfo[];
}

interface Generation {
  /** The versions it serves, `a@v1,b@v3`: compared with the pointers to see whether to reload. */
  key: string;
  served: Served;
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
  inFlight: number;
  retired: boolean;
  /** Frees its sessions and databases, once; resolves `freed`. */
  release(): Promise<void>;
  freed: Promise<void>;
}

export async function createHotSwapApp(options: HotSwapOptions): Promise<HotSwapApp> {
  const logger = options.logger ?? stderrLogger;
  const generations = new Set<Generation>();
  let live = await loadGeneration(options, logger);
  generations.add(live);
  let failedKey: string | undefined;
  let reloading: Promise<ReloadOutcome> | undefined;
  let closed = false;

  const release = (generation: Generation) => {
    generations.delete(generation);
    generation.release().catch((error: unknown) =>
      logger.error('could not free an old model generation', {
        versions: generation.key,
        error: String(error),
      }),
    );
  };
  const retire = (generation: Generation) => {
    generation.retired = true;
    if (generation.inFlight === 0) release(generation);
  };
  const serving = () => splitKey(live.key);

  async function swapIfMoved(force: boolean): Promise<ReloadOutcome> {
    let wanted: string;
    try {
      wanted = await pointersKey(options.artifactsDir);
    } catch (error) {
      return failed(`unreadable pointers: ${messageOf(error)}`, error, force);
    }
    if (wanted === live.key || closed) return { status: 'unchanged', serving: serving() };
    // Loading verifies every file's sha256: not again at every tick for versions known to be broken.
    if (wanted === failedKey && !force) {
      return {
        status: 'failed',
        error: `${wanted} failed to load; waiting for a new publish or SIGHUP`,
        serving: serving(),
      };
    }
    let next: Generation;
    try {
      next = await loadGeneration(options, logger);
    } catch (error) {
      return failed(wanted, error, force);
    }
    failedKey = undefined;
    const previous = live;
    generations.add(next);
    live = next;
    retire(previous);
    logger.info('serving new model versions', { from: splitKey(previous.key), to: serving() });
    return { status: 'swapped', from: splitKey(previous.key), serving: serving() };
  }

  /** Logs a failure once per distinct failure (a poll every second must not flood the log). */
  function failed(key: string, error: unknown, force: boolean): ReloadOutcome {
    if (key !== failedKey || force) {
      logger.error('kept the current models: the newly published versions cannot be served', {
        serving: serving(),
        error: messageOf(error),
      });
    }
    failedKey = key;
    return { status: 'failed', error: messageOf(error), serving: serving() };
  }

  /** One reload at a time; a call during a reload waits for it, then checks again. */
  function reload(reloadOptions: { force?: boolean } = {}): Promise<ReloadOutcome> {
    const previous = reloading ?? Promise.resolve(undefined);
    const next = previous.then(() => swapIfMoved(reloadOptions.force ?? false));
    reloading = next;
    void next.finally(() => {
      if (reloading === next) reloading = undefined;
    });
    return next;
  }

  const timer =
    options.watchIntervalMs > 0
      ? setInterval(() => {
          if (!reloading) void reload();
        }, options.watchIntervalMs)
      : undefined;
  timer?.unref();

  return {
    async fetch(request, env) {
      const generation = live;
      generation.inFlight += 1;
      try {
        return await generation.fetch(request, env);
      } finally {
        generation.inFlight -= 1;
        if (generation.retired && generation.inFlight === 0) release(generation);
      }
    },
    serving,
    served: () => live.served,
    reload,
    async close() {
      closed = true;
      clearInterval(timer);
      await reloading;
      const remaining = [...generations];
      retire(live);
      // A generation still answering is freed by its last request (fetch's finally).
      await Promise.all(remaining.map((generation) => generation.freed));
    },
  };
}

/** Loads what the pointers name now, exactly as a starting server does. */
async function loadGeneration(options: HotSwapOptions, logger: Logger): Promise<Generation> {
  const registry = await loadNodeModelRegistry({
    artifactsDir: options.artifactsDir,
    defaultModel: options.defaultModel,
  });
  let index: ReturnType<typeof openSqliteVecIndex>;
  let catalog: ReturnType<typeof openSqliteItemCatalog>;
  try {
    index = openSqliteVecIndex(registry.indexPaths, options.search);
  } catch (error) {
    await registry.close();
    throw error;
  }
  try {
    catalog = openSqliteItemCatalog(registry.indexPaths);
  } catch (error) {
    index.close();
    await registry.close();
    throw error;
  }
  let freed!: () => void;
  const freedPromise = new Promise<void>((resolve) => (freed = resolve));
  let releasing: Promise<void> | undefined;
  const release = () => {
    releasing ??= (async () => {
      try {
        catalog.close();
        index.close();
        await registry.close();
      } finally {
        freed();
      }
    })();
    return releasing;
  };
  try {
    const app = createApp({
      registry,
      index,
      catalog,
      ...options.state,
      ...options.access,
      ...options.operations,
      limits: options.limits,
      batching: options.batching,
      logger,
    });
    const key = registry
      .list()
      .map((model) => `${model.manifest.name}@${model.manifest.version}`)
      .sort()
      .join(',');
    const served = { models: registry.list(), collections: index.collections() };
    return { key, served, fetch: app.fetch, inFlight: 0, retired: false, release, freed: freedPromise };
  } catch (error) {
    await release();
    throw error;
  }
}

/** What the `current` pointers name, in the same form as a generation's key. */
async function pointersKey(artifactsDir: string): Promise<string> {
  const versions: string[] = [];
  for (const model of await listModels(artifactsDir)) {
    const current = await readCurrent(artifactsDir, model);
    if (current) versions.push(`${model}@${current.version}`);
  }
  return versions.sort().join(',');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function splitKey(key: string): string[] {
  return key === '' ? [] : key.split(',');
}
