import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type FileEntry, type Manifest, parseManifest } from '../manifest.ts';
import { ARTIFACT_FILE_NAMES, type ArtifactFileKey, MANIFEST_FILE } from './layout.ts';
import { WORKER_INDEX_FILE, type WorkerIndex, WorkerIndexSchema, workerIndexFiles } from './worker-index.ts';

/** A published (or staged) worker-index.json, validated. */
export async function readWorkerIndex(dir: string): Promise<WorkerIndex> {
  const path = join(dir, WORKER_INDEX_FILE);
  try {
    return WorkerIndexSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** SHA-256 of a file as lower-case hex, streamed so large indexes need not fit in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Size and hash of a file as a manifest entry. */
export async function describeFile(path: string): Promise<FileEntry> {
  const [{ size }, sha256] = await Promise.all([stat(path), sha256File(path)]);
  return { path: basename(path), sha256, bytes: size };
}

/**
 * Reads and validates a version folder's manifest.json, which must describe the folder it is in
 * (`<model>/<version>`). Throws when the folder has no manifest.
 */
export async function readVersionManifest(dir: string): Promise<Manifest> {
  const manifestFile = join(dir, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(manifestFile, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${manifestFile}: ${(error as Error).message}`, { cause: error });
  }
  const manifest = parseManifest(json, manifestFile);
  if (basename(dir) !== manifest.version || basename(dirname(dir)) !== manifest.name) {
    throw new Error(
      `${manifestFile} describes ${manifest.name}/${manifest.version}, not the folder it is in`,
    );
  }
  return manifest;
}

/**
 * Checks a published version folder against its manifest: the manifest is valid, the folder sits at
 * `<model>/<version>`, and every listed file has the layout's name, the listed size and the listed sha256.
 * Throws an error naming the first file that does not match; returns the manifest otherwise.
 */
export async function verifyVersion(dir: string): Promise<Manifest> {
  const manifest = await readVersionManifest(dir);
  for (const [key, entry] of Object.entries(manifest.files) as [ArtifactFileKey, FileEntry | undefined][]) {
    if (entry) await verifyFile(dir, key, entry);
  }
  if (manifest.files.worker_index) {
    for (const shardFile of workerIndexFiles(await readWorkerIndex(dir))) await checkFile(dir, shardFile);
  }
  return manifest;
}

async function verifyFile(dir: string, key: ArtifactFileKey, entry: FileEntry): Promise<void> {
  const file = join(dir, entry.path);
  if (entry.path !== ARTIFACT_FILE_NAMES[key]) {
    throw new Error(`${file}: the manifest's files.${key} must be ${ARTIFACT_FILE_NAMES[key]}`);
  }
  await checkFile(dir, entry);
}

/** The file's size and sha256 must be the entry's. */
async function checkFile(dir: string, entry: FileEntry): Promise<void> {
  const file = join(dir, entry.path);
  let actual: FileEntry;
  try {
    actual = await describeFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file} is missing`);
    throw error;
  }
  if (actual.bytes !== entry.bytes) {
    throw new Error(`${file} has ${actual.bytes} bytes, the manifest says ${entry.bytes}`);
  }
  if (actual.sha256 !== entry.sha256) {
    throw new Error(`${file} has sha256 ${actual.sha256}, the manifest says ${entry.sha256}`);
  }
}
