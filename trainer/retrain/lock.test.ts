import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { acquireJobLock, type LockHolder, LockHolderSchema } from './lock.ts';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lock-'));
  path = join(dir, 'tiny.retrain.lock');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function writeLock(holder: Partial<LockHolder>): void {
  const full: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    started_at: new Date().toISOString(),
    token: 'someone-else',
    command: 'dml-edge retrain',
    ...holder,
  };
  writeFileSync(path, JSON.stringify(full));
}

describe('the job lock', () => {
  it('records pid, host and start time, and turns a second job away until released', async () => {
    const first = await acquireJobLock(path);
    expect(first.acquired).toBe(true);
    const recorded = LockHolderSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
    expect(recorded).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(Date.now() - Date.parse(recorded.started_at)).toBeLessThan(10_000);

    const second = await acquireJobLock(path);
    expect(second).toEqual({ acquired: false, holder: recorded });

    if (first.acquired) await first.release();
    expect(existsSync(path)).toBe(false);
    const third = await acquireJobLock(path);
    expect(third.acquired).toBe(true);
    // Nothing but the lock is left behind.
    expect(readdirSync(dir)).toEqual(['tiny.retrain.lock']);
  });

  it('takes over a lock whose process is dead, with a warning', async () => {
    const pid = deadPid();
    writeLock({ pid });
    const stale: LockHolder[] = [];
    const lock = await acquireJobLock(path, { onStale: (holder) => stale.push(holder) });
    expect(lock.acquired).toBe(true);
    expect(stale.map((h) => h.pid)).toEqual([pid]);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
  });

  it('takes over a lock taken before the machine last booted, even if its pid now runs something else', async () => {
    writeLock({ started_at: '2000-01-01T00:00:00.000Z' });
    expect((await acquireJobLock(path)).acquired).toBe(true);
  });

  it('respects a lock from another host, which it cannot check', async () => {
    writeLock({ pid: deadPid(), hostname: 'some-other-host' });
    const lock = await acquireJobLock(path);
    expect(lock).toMatchObject({ acquired: false, holder: { hostname: 'some-other-host' } });
  });

  it('waits for the holder to finish when asked to', async () => {
    const first = await acquireJobLock(path);
    if (!first.acquired) throw new Error('expected the lock');
    const waited: LockHolder[] = [];
    const second = acquireJobLock(path, { wait: true, pollMs: 10, onWait: (h) => waited.push(h) });
    await vi.waitFor(() => expect(waited).toHaveLength(1), { timeout: 10_000 });
    // Several more 10 ms polls: still waiting, and told so only once.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(waited).toHaveLength(1);
    await first.release();
    expect((await second).acquired).toBe(true);
  });

  it('gives the lock to exactly one of many contenders, also when taking over a stale one', async () => {
    for (const setup of [() => undefined, () => writeLock({ pid: deadPid() })]) {
      rmSync(path, { force: true });
      setup();
      const results = await Promise.all(Array.from({ length: 8 }, () => acquireJobLock(path)));
      expect(results.filter((r) => r.acquired)).toHaveLength(1);
    }
  });

  it('never removes a lock it does not own', async () => {
    const lock = await acquireJobLock(path);
    if (!lock.acquired) throw new Error('expected the lock');
    writeLock({ token: 'a later job' });
    await lock.release();
    expect(JSON.parse(readFileSync(path, 'utf8')).token).toBe('a later job');
  });

  it('refuses a file that is not a lock, saying what to do', async () => {
    writeFileSync(path, 'hello');
    await expect(acquireJobLock(path)).rejects.toThrow(
      `the lock file ${path} is not a dml-edge lock; remove it if no retrain job is running`,
    );
  });
});
