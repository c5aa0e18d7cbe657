import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { readCurrent } from '../../shared/artifacts/current.ts';
import { ModelNameSchema } from '../../shared/manifest.ts';
import { persistToNeedsLocal, planR2Upload, R2_TARGET_FIELDS, type R2Object, runWrangler } from './r2.ts';

/**
 * `dml-edge models promote|rollback --target r2`: after the version registry and the local `current`
 * pointer have switched (trainer/registry/champion.ts), the bucket the Worker serves follows. The
 * version's files go up first unless the bucket already holds them (its manifest there equals the local
 * one: an upload writes a version's manifest after its files, so a manifest there means its files are
 * there too), then `<model>/current` is overwritten with the local pointer. R2 reads are strongly
 * consistent, so every isolate sees the new pointer at its next check (the Worker's CURRENT_TTL_SECONDS).
 */
export const R2SwitchOptionsSchema = z
  .object({ ...R2_TARGET_FIELDS, model: ModelNameSchema })
  .strict()
  .refine(...persistToNeedsLocal);
export type R2SwitchOptions = z.input<typeof R2SwitchOptionsSchema>;

export interface R2SwitchResult {
  version: string;
  /** Every object written, the pointer last; only the pointer when the bucket had the version. */
  uploaded: R2Object[];
}

export async function switchR2Current(
  input: R2SwitchOptions,
  hooks: { onObject?: (object: R2Object) => void } = {},
): Promise<R2SwitchResult> {
  const options = R2SwitchOptionsSchema.parse(input);
  const artifactsDir = resolve(options.artifactsDir);
  const current = await readCurrent(artifactsDir, options.model);
  if (!current) throw new Error(`${options.model} has no current version in ${artifactsDir}`);
  const where = options.local
    ? ['--local', ...(options.persistTo ? ['--persist-to', resolve(options.persistTo)] : [])]
    : ['--remote'];

  // Verifies every file of the version against its manifest before anything is sent.
  const plan = await planR2Upload(artifactsDir, options.model);
  const manifestKey = `${options.model}/${current.version}/manifest.json`;
  const manifest = plan.find((object) => object.key === manifestKey);
  if (!manifest) throw new Error(`the upload plan of ${options.model} has no ${manifestKey}`);
  const there = await getObjectText(`${options.bucket}/${manifestKey}`, where);
  const inBucket = there !== undefined && there === (await readFile(manifest.path, 'utf8'));
  const uploaded = inBucket ? plan.filter((object) => object.key === `${options.model}/current`) : plan;

  for (const object of uploaded) {
    hooks.onObject?.(object);
    await runWrangler([
      'r2',
      'object',
      'put',
      `${options.bucket}/${object.key}`,
      '--file',
      object.path,
      '--content-type',
      object.contentType,
      ...where,
    ]);
  }
  return { version: current.version, uploaded };
}

/** The object's text, or undefined when the bucket has no such key. */
async function getObjectText(path: string, where: string[]): Promise<string | undefined> {
  try {
    return await runWrangler(['r2', 'object', 'get', path, '--pipe', ...where]);
  } catch (error) {
    if (/does not exist|not found|NoSuchKey/i.test((error as Error).message)) return undefined;
    throw error;
  }
}
