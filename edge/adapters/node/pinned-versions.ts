import { access } from 'node:fs/promises';
import { manifestPath, versionDir } from '../../../shared/artifacts/layout.ts';
import { ApiError } from '../../errors.ts';
import type { Embedder, LoadedModel } from '../../ports.ts';

/**
 * Pinned versions (`model@version` naming a published version other than the serving one) kept loaded
 * at once, beside the serving versions: each is one more ONNX session in memory. The least recently
 * pinned one is unloaded to make room.
 */
export const MAX_PINNED_VERSIONS = 2;

interface Releasable extends LoadedModel {
  readonly embedder: Embedder & { release(): Promise<void> };
}

export interface PinnedVersions {
  pinned(name: string, version: string): Promise<LoadedModel>;
  /** Unloads every pinned version. */
  close(): Promise<void>;
}

/**
 * Loads published versions on demand (verified like the serving ones, by `load`) into a bounded cache.
 * An unloaded version's session is released once its embeds in flight are done; a request that still
 * holds it afterwards gets a 503 to retry, which loads it again.
 */
export function pinnedVersions(
  artifactsDir: string,
  load: (dir: string) => Promise<Releasable>,
  max = MAX_PINNED_VERSIONS,
): PinnedVersions {
  const loaded = new Map<string, Promise<LoadedModel & { retire(): Promise<void> }>>();

  async function open(name: string, version: string) {
    const dir = versionDir(artifactsDir, name, version);
    try {
      await access(manifestPath(artifactsDir, name, version));
    } catch {
      throw new ApiError(404, 'version_not_found', `model: ${name} has no published version "${version}"`);
    }
    let model: Releasable;
    try {
      model = await load(dir);
    } catch {
      throw new ApiError(
        409,
        'artifact_rejected',
        `model: ${name}@${version} fails verification; it cannot be served`,
      );
    }
    return leased(model);
  }

  return {
    pinned(name, version) {
      const key = `${name}@${version}`;
      let entry = loaded.get(key);
      if (entry) loaded.delete(key);
      else {
        entry = open(name, version);
        entry.catch(() => loaded.delete(key));
      }
      // Map order is recency: the first entry is the least recently pinned.
      loaded.set(key, entry);
      for (const [oldest, model] of loaded) {
        if (loaded.size <= max) break;
        loaded.delete(oldest);
        model.then((m) => m.retire()).catch(() => {});
      }
      return entry;
    },
    async close() {
      const all = [...loaded.values()];
      loaded.clear();
      await Promise.all(all.map((entry) => entry.then((m) => m.retire()).catch(() => {})));
    },
  };
}

/** The model with its embeds counted, so that retiring it releases the session only once they are done. */
function leased(model: Releasable): LoadedModel & { retire(): Promise<void> } {
  let inFlight = 0;
  let retired = false;
  let released: Promise<void> | undefined;
  const releaseIfIdle = () => {
    if (retired && inFlight === 0) released ??= model.embedder.release();
    return released ?? Promise.resolve();
  };
  const counted =
    <A extends unknown[], R>(run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (retired) {
        throw new ApiError(
          503,
          'not_ready',
          `model: ${model.manifest.name}@${model.manifest.version} was just unloaded; retry`,
        );
      }
      inFlight++;
      try {
        return await run(...args);
      } finally {
        inFlight--;
        void releaseIfIdle();
      }
    };
  const { embedder } = model;
  return {
    manifest: model.manifest,
    embedder: {
      dim: embedder.dim,
      embed: counted((texts: readonly string[]) => embedder.embed(texts)),
      ...(embedder.embedImages && {
        embedImages: counted((images: readonly Float32Array[]) => embedder.embedImages!(images)),
      }),
    },
    retire() {
      retired = true;
      return releaseIfIdle();
    },
  };
}
