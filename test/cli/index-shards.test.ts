import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './in-process.ts';

describe('dml-edge index --shards / --shard-bytes', () => {
  it('are listed in the index command help', async () => {
    const { code, stdout } = await runCliInProcess(['index', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--shards <n>');
    expect(stdout).toContain('--shard-bytes <bytes>');
  });

  it.each([
    [['--shards', '0'], /--shards.*at least 1/],
    [['--shards', 'two'], /--shards.*whole number/],
    [['--shards', '2', '--shard-bytes', '100000'], /cannot be used with/],
  ])('refuses %j as a usage error (exit 2), before touching any run', async (flags, message) => {
    const { code, stderr } = await runCliInProcess(['index', '--run', 'no-such-run', ...flags]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('refuses a run that does not exist, naming it', async () => {
    const { code, stderr } = await runCliInProcess(['index', '--run', 'no-such-run', '--shards', '4']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no run no-such-run/);
  });
});
