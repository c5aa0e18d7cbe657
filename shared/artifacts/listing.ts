import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelNameSchema, VersionSchema } from '../manifest.ts';
import { pathExists } from './atomic-fs.ts';
import { MANIFEST_FILE, modelDir } from './layout.ts';
import { readVersionManifest } from './verify.ts';

/** Model names with a folder under the artifacts root, sorted; [] when the root does not exist. */
export async function listModels(artifactsDir: string): Promise<string[]> {
  const names = await subfolders(artifactsDir);
  return names.filter((name) => ModelNameSchema.safeParse(name).success).sort();
}

/**
 * A model's published versions, oldest first by their manifests' created_at. Folders that are not
 * complete versions (temporary `.tmp-*` folders, anything without a manifest) are left out.
 */
export async function listVersions(artifactsDir: string, model: string): Promise<string[]> {
  const dir = modelDir(artifactsDir, model);
  const versions: { version: string; createdAt: number }[] = [];
  for (const name of await subfolders(dir)) {
    if (!VersionSchema.safeParse(name).success) continue;
    if (!(await pathExists(join(dir, name, MANIFEST_FILE)))) continue;
    const manifest = await readVersionManifest(join(dir, name));
    versions.push({ version: name, createdAt: Date.parse(manifest.created_at) });
  }
  versions.sort((a, b) => a.createdAt - b.createdAt || a.version.localeCompare(b.version));
  return versions.map((v) => v.version);
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
