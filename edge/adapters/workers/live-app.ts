import type { Logger } from '../../logger.ts';

export type ServeApp = (request: Request) => Response | Promise<Response>;

/** One set of loaded versions and the app over them. */
export interface Generation {
  /** The versions it serves, `a@v1,b@v3` (sorted): compared with the pointers to see whether to reload. */
  readonly versions: string;
  readonly serve: ServeApp;
  /** Frees its ONNX sessions and SQLite databases. */
  release(): Promise<void>;
}

export interface LiveAppOptions<Env> {
  /** Loads the versions the `current` pointers name now. */
  load(env: Env): Promise<Generation>;
  /** The versions the `current` pointers name now, in Generation.versions' form (cheap: pointers only). */
  pointers(env: Env): Promise<string>;
  /** How long a generation serves before the pointers are read again; 0: before every request. */
  ttlMs(env: Env): number;
  logger: Logger;
  now?: () => number;
}

export interface LiveApp<Env> {
  fetch(request: Request, env: Env): Promise<Response>;
}

interface Live {
  generation: Generation;
  /** When the pointers last named this generation's versions. */
  checkedAt: number;
  inFlight: number;
  retired: boolean;
  released: boolean;
}

/**
 * The Worker's answer to `dml-edge models promote|rollback --target r2`: an isolate serves the versions
 * it loaded for `ttlMs`, then the first request after that reads the `current` pointers (one R2 list and
 * one small read per model). When they moved, that request loads the new versions (as a cold start
 * does) and is answered by them, while requests arriving meanwhile are still answered by the old ones;
 * the old generation is freed once its last request is done. A new set of versions that fails to load
 * is logged and not served (the old one goes on; the pointers are read again after the next `ttlMs`).
 * Until an isolate has loaded anything, a failed load fails the request (503) and the next one retries.
 */
export function createLiveApp<Env>(options: LiveAppOptions<Env>): LiveApp<Env> {
  const now = options.now ?? (() => Date.now());
  let live: Live | undefined;
  let first: Promise<Live> | undefined;
  let checking: Promise<void> | undefined;

  const start = (generation: Generation): Live => ({
    generation,
    checkedAt: now(),
    inFlight: 0,
    retired: false,
    released: false,
  });

  async function releaseOnce(old: Live): Promise<void> {
    if (old.released) return;
    old.released = true;
    await old.generation.release();
  }

  async function retire(old: Live): Promise<void> {
    old.retired = true;
    if (old.inFlight === 0) await releaseOnce(old);
  }

  async function check(env: Env, current: Live): Promise<void> {
    try {
      const versions = await options.pointers(env);
      if (versions !== current.generation.versions) {
        const generation = await options.load(env);
        live = start(generation);
        options.logger.info('serving the versions the current pointers name', {
          from: current.generation.versions,
          serving: generation.versions,
        });
        await retire(current);
        return;
      }
    } catch (error) {
      options.logger.error('cannot switch to the versions the current pointers name; serving on', {
        serving: current.generation.versions,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    current.checkedAt = now();
  }

  async function liveFor(env: Env): Promise<Live> {
    if (!live) {
      first ??= options.load(env).then(
        (generation) => (live = start(generation)),
        (error: unknown) => {
          first = undefined;
          throw error;
        },
      );
      return first;
    }
    if (now() - live.checkedAt >= options.ttlMs(env)) {
      // The first request past the TTL waits for the check (and a switch); the others go on meanwhile.
      if (!checking) {
        checking = check(env, live).finally(() => {
          checking = undefined;
        });
        await checking;
      }
    }
    return live;
  }

  return {
    async fetch(request, env) {
      let serving = await liveFor(env);
      // Retired while this request waited: its successor is live. From here to inFlight++ nothing yields.
      if (serving.retired && live) serving = live;
      serving.inFlight++;
      try {
        return await serving.generation.serve(request);
      } finally {
        serving.inFlight--;
        if (serving.retired && serving.inFlight === 0) await releaseOnce(serving);
      }
    },
  };
}
