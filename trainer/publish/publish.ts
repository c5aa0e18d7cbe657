import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { fsyncPath, pathExists, removeDeadTemps, tempSibling } from '../../shared/artifacts/atomic-fs.ts';
import { setCurrent } from '../../shared/artifacts/current.ts';
import {
  ARTIFACT_FILE_NAMES,
  type ArtifactFileKey,
  type CurrentPointer,
  MANIFEST_FILE,
  modelDir,
  versionDir,
} from '../../shared/artifacts/layout.ts';
import { describeFile } from '../../shared/artifacts/verify.ts';
import { type FileEntry, type Manifest, ManifestSchema, parseManifest } from '../../shared/manifest.ts';
import { copyWorkerIndexFiles } from './worker-index-files.ts';

/** A manifest without `files`: publishing computes those from the files it actually writes, exactly once. */
export const ManifestDraftSchema = ManifestSchema.omit({ files: true });
export type ManifestDraft = z.input<typeof ManifestDraftSchema>;

/** Source paths of the files to publish, by their manifest key. */
export const PublishFilesSchema = z
  .object({
    model: z.string().min(1),
    model_int8: z.string().min(1),
    index: z.string().min(1).optional(),
    report: z.string().min(1).optional(),
    /** worker-index.json; the shard files it lists are published from its folder with it. */
    worker_index: z.string().min(1).optional(),
  })
  .strict();
export type PublishFiles = z.infer<typeof PublishFilesSchema>;

export interface PublishOptions {
  artifactsDir: string;
  manifest: ManifestDraft;
  files: PublishFiles;
  /** Switch the model's `current` pointer to this version once it is in place (default true). */
  makeCurrent?: boolean;
}

export interface PublishResult {
  dir: string;
  manifest: Manifest;
  /** The new pointer when the version was made current. */
  current?: CurrentPointer;
}

/**
 * Publishes a model version: copies the files into a temporary folder under the model, hashes the copies
 * into the manifest's `files`, writes manifest.json, flushes everything, renames the folder to
 * `<model>/<version>` and only then switches `current`. A crash at any point leaves either no version or
 * a complete one, and `current` always names a complete version. Refuses to overwrite a version.
 */
export async function publishVersion(options: PublishOptions): Promise<PublishResult> {
  const draft = ManifestDraftSchema.parse(options.manifest);
  const files = PublishFilesSchema.parse(options.files);
  const finalDir = versionDir(options.artifactsDir, draft.name, draft.version);
  if (await pathExists(finalDir))
    throw new Error(`${draft.name} version ${draft.version} already exists at ${finalDir}`);

  await mkdir(modelDir(options.artifactsDir, draft.name), { recursive: true });
  await removeDeadTemps(finalDir);
  const temp = tempSibling(finalDir);
  let manifest: Manifest;
  try {
    await mkdir(temp);
    const entries: Partial<Record<ArtifactFileKey, FileEntry>> = {};
    for (const [key, source] of Object.entries(files) as [ArtifactFileKey, string | undefined][]) {
      if (source === undefined) continue;
      const target = join(temp, ARTIFACT_FILE_NAMES[key]);
      await copyFile(source, target);
      await fsyncPath(target);
      // Hash the copy, not the source: the manifest vouches for the bytes that were published.
      entries[key] = await describeFile(target);
    }
    if (files.worker_index) await copyWorkerIndexFiles(files.worker_index, temp);
    manifest = parseManifest({ ...draft, files: entries }, `${draft.name}/${draft.version}`);
    await writeFile(join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { flush: true });
    await fsyncPath(temp);
    await rename(temp, finalDir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  await fsyncPath(modelDir(options.artifactsDir, draft.name));

  const makeCurrent = options.makeCurrent ?? true;
  const current = makeCurrent ? await setCurrent(options.artifactsDir, draft.name, draft.version) : undefined;
  return { dir: finalDir, manifest, ...(current ? { current } : {}) };
}
