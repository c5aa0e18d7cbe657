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
  /**
   * How a switch holds memory. `overlap`: the new versions load while the old ones serve, so no request
   * waits, but the isolate briefly holds both (twice the memory). `release-first`: requests wait while the
   * old versions finish their requests, are freed, and the new ones load (a cold start's pause), so the
   * isolate never holds two; a new version that fails to load then answers 503 until one loads.
   */
  switchMode(env: Env): SwitchMode;
  /**
   * Release-first only: checks that `versions` (as `pointers` gave them) can be loaded, cheaply, before the
   * old versions are freed; a rejection is logged and the old versions serve on.
   */
  verify?(env: Env, versions: string): Promise<void>;
  logger: Logger;
  now?: () => number;
}

export type SwitchMode = 'overlap' | 'release-first';

export interface LiveApp<Env> {
  fetch(request: Request, env: Env): Promise<Response>;
}

interface Live {
  generation: Generation;
  /** When the pointers last named this generation's versions. */
  checkedAt: number;
  inFlight: number;
  retired: boolean;
  /** Called when a retired generation's last request has finished (release-first switches). */
  onDrained?: () => void;
  /** Set once its release has begun; resolves when its sessions and databases are freed. */
  released?: Promise<void>;
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
  });

  function releaseOnce(old: Live): Promise<void> {
    old.released ??= old.generation.release();
    return old.released;
  }

  /** Retires `old` and resolves once its last request has finished and it has been freed. */
  function drainAndRelease(old: Live): Promise<void> {
    old.retired = true;
    if (old.inFlight === 0) return releaseOnce(old);
    return new Promise((resolve, reject) => {
      old.onDrained = () => releaseOnce(old).then(resolve, reject);
    });
  }

  async function retire(old: Live): Promise<void> {
    old.retired = true;
    if (old.inFlight === 0) await releaseOnce(old);
  }

  async function check(env: Env, current: Live): Promise<void> {
    try {
      const versions = await options.pointers(env);
      if (versions !== current.generation.versions && options.switchMode(env) === 'release-first') {
        await options.verify?.(env, versions);
        options.logger.info('switching: freeing the old versions before loading the new ones', {
          from: current.generation.versions,
          to: versions,
        });
        // Requests wait on `checking` meanwhile; the next one loads the new versions as a cold start does.
        await drainAndRelease(current);
        live = undefined;
        first = undefined;
        return;
      }
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
      // The first request past the TTL waits for the check (and a switch); the others go on meanwhile,
      // except during a release-first switch, whose old generation takes no new request.
      if (!checking) {
        checking = check(env, live).finally(() => {
          checking = undefined;
        });
        await checking;
        return live ?? liveFor(env);
      }
    }
    if (live.retired && checking) {
      await checking;
      return live ?? liveFor(env);
    }
    return live;
  }

  return {
    async fetch(request, env) {
      let serving = await liveFor(env);
      // Retired while this request waited: serve on its successor (loaded first after a release-first
      // switch). From the last check here to inFlight++ nothing yields.
      while (serving.retired) serving = live && !live.retired ? live : await liveFor(env);
      serving.inFlight++;
      try {
        return await serving.generation.serve(request);
      } finally {
        serving.inFlight--;
        if (serving.retired && serving.inFlight === 0) {
          if (serving.onDrained) serving.onDrained();
          else await releaseOnce(serving);
        }
      }
    },
  };
}
