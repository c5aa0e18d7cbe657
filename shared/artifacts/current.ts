import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-fs.ts';
import {
  type CurrentPointer,
  currentPointerPath,
  formatCurrentPointer,
  parseCurrentPointer,
  versionDir,
} from './layout.ts';
import { readVersionManifest } from './verify.ts';

/** The model's live-version pointer, or undefined when no version was made current yet. */
export async function readCurrent(artifactsDir: string, model: string): Promise<CurrentPointer | undefined> {
  const path = currentPointerPath(artifactsDir, model);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseCurrentPointer(text, path);
}

/**
 * Makes a published version live by atomically replacing the `current` pointer (readers see the old or
 * the new pointer, never a partial one). Publishing and rollback both switch through here. The version
 * must have a valid manifest; its files are verified by whoever loads it.
 */
export async function setCurrent(
  artifactsDir: string,
  model: string,
  version: string,
): Promise<CurrentPointer> {
  await readVersionManifest(versionDir(artifactsDir, model, version));

  const existing = await readCurrent(artifactsDir, model);
  if (existing?.version === version) return existing;
  const pointer: CurrentPointer = {
    version,
    previous: existing?.version ?? null,
    switched_at: new Date().toISOString(),
  };
  await writeFileAtomic(currentPointerPath(artifactsDir, model), formatCurrentPointer(pointer));
  return pointer;
}
