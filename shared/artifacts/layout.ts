import { z } from 'zod';
import { type Manifest, ModelNameSchema, VersionSchema } from '../manifest.ts';

/**
 * The artifact layout, one folder per model and version, and one pointer per model switched last:
 *
 *   <root>/<model>/<version>/{manifest.json, model.onnx, model.int8.onnx, index.db, report.html}
 *   <root>/<model>/current        which version is live (CurrentPointerSchema, JSON)
 *
 * Pure string helpers joined with '/', so the Node file system and object stores (R2 keys) share them.
 * Model names and versions are validated first: they come from users and must not escape the root.
 */

export const MANIFEST_FILE = 'manifest.json';
export const CURRENT_FILE = 'current';

/** The file name of each entry of a manifest's `files`. */
export const ARTIFACT_FILE_NAMES = {
  model: 'model.onnx',
  model_int8: 'model.int8.onnx',
  index: 'index.db',
  report: 'report.html',
  worker_index: 'worker-index.json',
} as const satisfies Record<keyof Manifest['files'], string>;
export type ArtifactFileKey = keyof typeof ARTIFACT_FILE_NAMES;

export const CurrentPointerSchema = z
  .object({
    version: VersionSchema,
    /** The version that was live before this switch, so a rollback knows where to go back to. */
    previous: VersionSchema.nullable(),
    switched_at: z.iso.datetime(),
  })
  .strict();
export type CurrentPointer = z.infer<typeof CurrentPointerSchema>;

export function modelDir(root: string, model: string): string {
  return `${trimSlash(root)}/${ModelNameSchema.parse(model)}`;
}

export function versionDir(root: string, model: string, version: string): string {
  return `${modelDir(root, model)}/${VersionSchema.parse(version)}`;
}

export function artifactPath(root: string, model: string, version: string, file: ArtifactFileKey): string {
  return `${versionDir(root, model, version)}/${ARTIFACT_FILE_NAMES[file]}`;
}

export function manifestPath(root: string, model: string, version: string): string {
  return `${versionDir(root, model, version)}/${MANIFEST_FILE}`;
}

export function currentPointerPath(root: string, model: string): string {
  return `${modelDir(root, model)}/${CURRENT_FILE}`;
}

/** Parses a pointer file's text, naming the file on error. */
export function parseCurrentPointer(text: string, source: string): CurrentPointer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  const result = CurrentPointerSchema.safeParse(json);
  if (!result.success) throw new Error(`invalid pointer ${source}: ${result.error.issues[0].message}`);
  return result.data;
}

export function formatCurrentPointer(pointer: CurrentPointer): string {
  return `${JSON.stringify(CurrentPointerSchema.parse(pointer), null, 2)}\n`;
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
