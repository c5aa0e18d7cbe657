import { setCurrent } from '../../shared/artifacts/current.ts';
import { versionDir } from '../../shared/artifacts/layout.ts';
import { verifyVersion } from '../../shared/artifacts/verify.ts';
import type { VersionRegistry } from './registry.ts';

/** The champion is not the one the caller judged against: someone promoted or rolled back meanwhile. */
export class ChampionChangedError extends Error {}

export interface PromoteOptions {
  registry: VersionRegistry;
  artifactsDir: string;
  model: string;
  version: string;
  reason: string;
  /**
   * The champion the caller compared against (null: none). When given and the registry's champion is
   * another one by the time of the switch, nothing changes and ChampionChangedError is thrown.
   */
  expectedChampion?: string | null;
}

/**
 * Makes a published version the champion: checks its files against its manifest, switches the model's
 * `current` pointer (which the edge follows), then records the new champion and retires the old one. The
 * switch and the records happen inside one registry write transaction, so promotions and rollbacks from
 * different processes take turns. Returns the version that was champion before.
 */
export async function promoteVersion(options: PromoteOptions): Promise<{ previous: string | null }> {
  const { registry, artifactsDir, model, version } = options;
  return registry.exclusive(async () => {
    const record = registry.get(model, version);
    if (!record) throw new Error(`the registry has no version ${model}@${version}`);
    if (record.publishedAt === null) {
      throw new Error(
        `${model}@${version} was never published (${record.status}: ${record.reason ?? 'no reason recorded'})`,
      );
    }
    const champion = registry.champion(model);
    const previous = champion?.version ?? null;
    if (options.expectedChampion !== undefined && options.expectedChampion !== previous) {
      throw new ChampionChangedError(
        `the champion of ${model} changed from ${options.expectedChampion ?? 'none'} to ${previous ?? 'none'} during the run`,
      );
    }
    await verifyPublished(artifactsDir, model, version);
    await setCurrent(artifactsDir, model, version);
    if (previous === version) return { previous };
    if (champion) registry.setStatus(model, champion.version, 'retired', `replaced by ${version}`);
    registry.setStatus(model, version, 'champion', options.reason);
    return { previous };
  });
}

/**
 * Puts the previous champion back without retraining: the retired version promoted most recently becomes
 * champion again and the current one is marked rejected (so a second rollback goes further back instead
 * of returning to it). Only a pointer switch: seconds, whatever the model's size.
 */
export async function rollbackChampion(options: {
  registry: VersionRegistry;
  artifactsDir: string;
  model: string;
}): Promise<{ from: string; to: string }> {
  const { registry, artifactsDir, model } = options;
  return registry.exclusive(async () => {
    const champion = registry.champion(model);
    if (!champion) throw new Error(`${model} has no champion to roll back`);
    const target = registry.previousChampion(model);
    if (!target) throw new Error(`${model} has no earlier champion to roll back to`);
    await verifyPublished(artifactsDir, model, target.version);
    await setCurrent(artifactsDir, model, target.version);
    registry.setStatus(model, champion.version, 'rejected', `rolled back to ${target.version}`);
    registry.setStatus(model, target.version, 'champion', `rollback from ${champion.version}`);
    return { from: champion.version, to: target.version };
  });
}

async function verifyPublished(artifactsDir: string, model: string, version: string): Promise<void> {
  try {
    await verifyVersion(versionDir(artifactsDir, model, version));
  } catch (error) {
    throw new Error(`refusing to make ${model}@${version} live: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
