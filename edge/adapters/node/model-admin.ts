import { join, resolve } from 'node:path';
import { pathExists } from '../../../shared/artifacts/atomic-fs.ts';
import { readCurrent, setCurrent } from '../../../shared/artifacts/current.ts';
import { MANIFEST_FILE, modelDir, versionDir } from '../../../shared/artifacts/layout.ts';
import { verifyVersion } from '../../../shared/artifacts/verify.ts';
import { ApiError } from '../../errors.ts';
import type { ModelAdmin } from '../../routes/admin.ts';
import type { ReloadResponse } from '../../schemas.ts';
import type { HotSwapApp } from './hot-swap.ts';

/**
 * The admin endpoints on the Node server. Reload is the hot-swap's forced reload (as SIGHUP). Promote
 * does what `dml-edge models promote` does to the artifacts (verify every file, switch the `current`
 * pointer), then reloads at once; the version registry adopts the switch when it next reconciles, as it
 * does for any pointer moved outside it. One admin action at a time. Messages name files relative to the
 * artifacts folder, never by absolute path.
 */
export function nodeModelAdmin(artifactsDir: string, swap: () => HotSwapApp): ModelAdmin {
  let last: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const next = last.then(work, work);
    last = next.catch(() => undefined);
    return next;
  };
  const rejected = (message: string) =>
    new ApiError(409, 'artifact_rejected', relativePaths(message, artifactsDir));

  async function reload(): Promise<ReloadResponse> {
    const outcome = await swap().reload({ force: true });
    if (outcome.status === 'failed')
      throw rejected(`kept serving ${listed(outcome.serving)}: ${outcome.error}`);
    return { status: outcome.status, serving: outcome.serving };
  }

  return {
    reload: () => oneAtATime(reload),
    promote: (model, version) =>
      oneAtATime(async () => {
        if (!(await pathExists(modelDir(artifactsDir, model)))) {
          throw new ApiError(404, 'model_not_found', `no model named "${model}" is published`);
        }
        const dir = versionDir(artifactsDir, model, version);
        if (!(await pathExists(join(dir, MANIFEST_FILE)))) {
          throw new ApiError(
            404,
            'version_not_found',
            `model "${model}" has no published version "${version}"`,
          );
        }
        try {
          await verifyVersion(dir);
        } catch (error) {
          throw rejected(`${model}@${version} cannot be served: ${(error as Error).message}`);
        }
        const previous = (await readCurrent(artifactsDir, model))?.version ?? null;
        await setCurrent(artifactsDir, model, version);
        const outcome = await swap().reload({ force: true });
        if (outcome.status === 'failed') {
          // Sound on its own but not beside the other models (say, a clashing collection): switch back.
          if (previous !== null) await setCurrent(artifactsDir, model, previous);
          throw rejected(`${model}@${version} cannot be served with the other models: ${outcome.error}`);
        }
        return { model, version, previous, serving: outcome.serving };
      }),
  };
}

function listed(versions: readonly string[]): string {
  return versions.length === 0 ? 'nothing' : versions.join(', ');
}

/** Paths under the artifacts folder relative to it; any other absolute path cut to its last segment. */
function relativePaths(message: string, artifactsDir: string): string {
  const roots = [...new Set([resolve(artifactsDir), artifactsDir])].map(
    (root) => `${root.replace(/\/+$/, '')}/`,
  );
  const relative = roots.reduce((text, root) => text.replaceAll(root, ''), message);
  return relative.replace(/(?<=^|[\s'"(])(?:\/[^\s/'"]+)+\/([^\s/'"]+)/g, '$1');
}
