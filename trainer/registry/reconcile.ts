import { readCurrent } from '../../shared/artifacts/current.ts';
import { versionDir } from '../../shared/artifacts/layout.ts';
import { listVersions } from '../../shared/artifacts/listing.ts';
import { readVersionManifest } from '../../shared/artifacts/verify.ts';
import { sha256OfJson } from './canonical-json.ts';
import type { VersionRegistry } from './registry.ts';

/**
 * Brings a model's registry records in line with what is published, which is the truth the edge serves:
 * - versions under artifacts/<model>/ that the registry does not know (published by `dml-edge pipeline`
 *   or before the registry existed) are adopted from their manifests as retired;
 * - known versions whose folder exists but that are not marked published are marked (a job died between
 *   publishing and recording it);
 * - when the `current` pointer names another version than the registry's champion (a process died
 *   between switching the pointer and recording it, or someone switched it by hand), the pointer wins.
 * Returns one line per change, for the log. Idempotent.
 */
export async function reconcileRegistry(
  registry: VersionRegistry,
  artifactsDir: string,
  model: string,
): Promise<string[]> {
  return registry.exclusive(async () => {
    const changes: string[] = [];
    for (const version of await listVersions(artifactsDir, model)) {
      const known = registry.get(model, version);
      if (known) {
        if (known.publishedAt === null) {
          registry.markPublished(model, version);
          changes.push(`${model}@${version} is published: recorded`);
        }
        continue;
      }
      const manifest = await readVersionManifest(versionDir(artifactsDir, model, version));
      registry.add({
        model,
        version,
        status: 'retired',
        parentVersion: null,
        runId: manifest.training.run_id,
        runDir: null,
        dataFingerprint: manifest.data_fingerprint,
        snapshot: {},
        config: manifest.training.config,
        configSha256: sha256OfJson(manifest.training.config),
        reason: 'adopted: published outside a retrain job',
        publishedAt: manifest.created_at,
        // Versions published by the pipeline went live when they were published.
        promotedAt: manifest.created_at,
      });
      changes.push(`${model}@${version} adopted from its manifest`);
    }

    const pointer = await readCurrent(artifactsDir, model);
    const champion = registry.champion(model);
    if (pointer?.version === champion?.version) return changes;
    const why = pointer
      ? `the current pointer names ${pointer.version} (switched at ${pointer.switched_at})`
      : 'no current pointer';
    if (champion) {
      registry.setStatus(model, champion.version, 'retired', why);
      changes.push(`${model}@${champion.version} retired: ${why}`);
    }
    if (pointer) {
      registry.setStatus(model, pointer.version, 'champion', why);
      changes.push(`${model}@${pointer.version} is champion: ${why}`);
    }
    return changes;
  });
}
