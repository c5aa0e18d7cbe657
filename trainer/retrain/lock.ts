import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, uptime } from 'node:os';
import { dirname } from 'node:path';
import { z } from 'zod';
import { tempSibling } from '../../shared/artifacts/atomic-fs.ts';

/**
 * One retrain job per model at a time: a lock file holding who runs (pid, host, start time). It is
 * created with link(2), which fails when the file exists, from a complete temporary file, so a reader
 * never sees half a lock. A lock whose process is gone (same host, dead pid, or started before the
 * machine last booted) is stale and is taken over; a lock from another host cannot be checked and is
 * always respected.
 */
export const LockHolderSchema = z
  .object({
    pid: z.number().int().positive(),
    hostname: z.string(),
    started_at: z.iso.datetime(),
    /** Tells this holder's lock from a later one with a recycled pid. */
    token: z.string(),
    command: z.string(),
  })
  .strict();
export type LockHolder = z.infer<typeof LockHolderSchema>;

export interface HeldLock {
  acquired: true;
  holder: LockHolder;
  /** Removes the lock file if it is still ours. */
  release(): Promise<void>;
}

export interface BusyLock {
  acquired: false;
  holder: LockHolder;
}

export interface LockOptions {
  /** Keep trying until the lock is free instead of returning BusyLock. */
  wait?: boolean;
  pollMs?: number;
  /** Called once when `wait` starts waiting. */
  onWait?(holder: LockHolder): void;
  /** Called when a stale lock is taken over. */
  onStale?(holder: LockHolder): void;
}

export function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} on ${holder.hostname}, started ${holder.started_at} (${holder.command})`;
}

export async function acquireJobLock(path: string, options: LockOptions = {}): Promise<HeldLock | BusyLock> {
  const me: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    started_at: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
    command: process.argv.slice(1).join(' '),
  };
  await mkdir(dirname(path), { recursive: true });
  let waiting = false;
  for (;;) {
    const holder = await tryCreate(path, me);
    if (holder === undefined) {
      return { acquired: true, holder: me, release: () => releaseIfOurs(path, me) };
    }
    if (isStale(holder)) {
      if (await moveAsideIfUnchanged(path, holder)) options.onStale?.(holder);
      continue;
    }
    if (!options.wait) return { acquired: false, holder };
    if (!waiting) options.onWait?.(holder);
    waiting = true;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
  }
}

/** Creates the lock; returns undefined when created, or the current holder. */
async function tryCreate(path: string, me: LockHolder): Promise<LockHolder | undefined> {
  for (;;) {
    const temp = tempSibling(path);
    await writeFile(temp, `${JSON.stringify(me)}\n`, { flush: true });
    try {
      await link(temp, path);
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(temp, { force: true });
    }
    const holder = await readHolder(path);
    // The holder released it between our two calls: try again.
    if (holder) return holder;
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return LockHolderSchema.parse(JSON.parse(text));
  } catch {
    throw new Error(`the lock file ${path} is not a dml-edge lock; remove it if no retrain job is running`);
  }
}

function isStale(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return false;
  const bootedAt = Date.now() - uptime() * 1000;
  return !isProcessAlive(holder.pid) || Date.parse(holder.started_at) < bootedAt;
}

/**
 * Moves a stale lock out of the way, unless another job replaced it since we read it: then that job's
 * lock is put back (link fails if yet another job got in first, which then owns the lock).
 */
async function moveAsideIfUnchanged(path: string, stale: LockHolder): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    if ((await readHolder(aside))?.token === stale.token) return true;
    await link(aside, path).catch(() => undefined);
    return false;
  } finally {
    await rm(aside, { force: true });
  }
}

async function releaseIfOurs(path: string, me: LockHolder): Promise<void> {
  const holder = await readHolder(path).catch(() => undefined);
  if (holder?.token === me.token) await rm(path, { force: true });
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
