import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { access, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Nothing is half-written: files and folders are built under a temporary sibling name, flushed to disk,
 * then renamed into place (rename is atomic within a file system). Temporary names carry the writer's pid
 * so a later writer can remove what a killed one left behind without touching a live writer's work.
 */

const TEMP_PREFIX = '.tmp-';

/** A fresh temporary sibling of `target`: `<dir>/.tmp-<name>-<pid>-<random>`. */
export function tempSibling(target: string): string {
  const name = `${TEMP_PREFIX}${basename(target)}-${process.pid}-${randomBytes(4).toString('hex')}`;
  return join(dirname(target), name);
}

/**
 * Removes temporary siblings of `target` whose writing process no longer exists. A reused pid only
 * makes a leftover wait for a later sweep.
 */
export async function removeDeadTemps(target: string): Promise<void> {
  const dir = dirname(target);
  // SQLite may leave a -journal, -wal or -shm file beside a temporary database.
  const pattern = new RegExp(
    `^${escapeRegExp(TEMP_PREFIX + basename(target))}-(\\d+)-[0-9a-f]{8}(?:-journal|-wal|-shm)?$`,
  );
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid))) {
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }
}

/** Flushes a file's or a folder's contents (a folder's: its entries, so a rename inside it is durable). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `path` so that readers see either the old file or the complete new one. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = tempSibling(path);
  try {
    await writeFile(temp, data, { flush: true });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncPath(dirname(path));
}

/** `writeFileAtomic` for synchronous callers (the training loop, the stages' small JSON files). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array): void {
  const temp = tempSibling(path);
  try {
    writeFileSync(temp, data, { flush: true });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncPathSync(dirname(path));
}

/** Pretty-printed JSON with a final newline, written as `writeFileAtomicSync` does. */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  writeFileAtomicSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function fsyncPathSync(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
