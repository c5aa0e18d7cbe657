import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('checkpoints', () => {
  it('round-trips state and arrays', () => {
    const dir = join(tempDir(), 'last');
    saveCheckpoint(dir, {
      state: { step: 7 },
      arrays: { a: Float32Array.from([1, 2.5]), b: new Float32Array(3) },
    });
    const loaded = loadCheckpoint<{ step: number }>(dir);
    expect(loaded?.state.step).toBe(7);
    expect(Array.from(loaded!.arrays.a)).toEqual([1, 2.5]);
    expect(loaded!.arrays.b.length).toBe(3);
  });

  it('replaces an existing checkpoint and leaves no temporary folders', () => {
    const root = tempDir();
    const dir = join(root, 'last');
    saveCheckpoint(dir, { state: { step: 1 }, arrays: { a: Float32Array.from([1]) } });
    saveCheckpoint(dir, { state: { step: 2 }, arrays: { a: Float32Array.from([2]) } });
    expect(loadCheckpoint<{ step: number }>(dir)?.state.step).toBe(2);
    expect(existsSync(`${dir}.tmp`) || existsSync(`${dir}.old`)).toBe(false);
  });

  it('recovers the previous checkpoint when a crash interrupted the swap', () => {
    const dir = join(tempDir(), 'last');
    saveCheckpoint(dir, { state: { step: 3 }, arrays: { a: Float32Array.from([3]) } });
    renameSync(dir, `${dir}.old`); // the crash happened between the two renames
    expect(loadCheckpoint<{ step: number }>(dir)?.state.step).toBe(3);
  });

  it('returns undefined when there is no checkpoint', () => {
    expect(loadCheckpoint(join(tempDir(), 'none'))).toBeUndefined();
  });
});
