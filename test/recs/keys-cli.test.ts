import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateDb } from '../../edge/adapters/node/state-db.ts';
import { verifyApiKey } from '../../edge/auth/require-scope.ts';
import { runCliInProcess } from '../cli/in-process.ts';

const BIN = fileURLToPath(new URL('../../bin/dml-edge.js', import.meta.url));
let dir: string;
let statePath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dml-keys-'));
  statePath = join(dir, 'state.db');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `dml-edge keys ...` in this process; resolves with what it printed on stdout, rejects with stderr. */
async function keys(args: string[], flags: Record<string, string> = {}): Promise<string> {
  const flagArgs = Object.entries(flags).flatMap(([name, value]) => [`--${name}`, value]);
  const { code, stdout, stderr } = await runCliInProcess([
    'keys',
    ...args,
    ...flagArgs,
    '--state',
    statePath,
  ]);
  if (code !== 0) throw new Error(stderr);
  return stdout;
}

describe('dml-edge keys', () => {
  it('creates a key through the real command line, printing it once', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      BIN,
      'keys',
      'create',
      '--scope',
      'read',
      '--state',
      statePath,
    ]);
    expect(stdout.trim()).toMatch(/^dmle_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
  }, 120_000);

  it('lists keys without their secret and revokes them', async () => {
    const key = (await keys(['create'], { scope: 'write', name: 'ingest job' })).trim();
    const id = key.split('_')[1];
    const secret = key.slice(`dmle_${id}_`.length); // base64url: it may itself contain '_'
    const listed = await keys(['list']);
    expect(listed).toMatch(new RegExp(`^${id} +write +\\S+ +live +ingest job$`, 'm'));
    expect(listed).not.toContain(secret);

    await keys(['revoke', id]);
    expect(await keys(['list'])).toMatch(new RegExp(`^${id} +write +\\S+ +revoked \\S+ +ingest job$`, 'm'));
    const state = await openStateDb(statePath);
    try {
      expect(await verifyApiKey(state.keys, key)).toBeUndefined();
    } finally {
      state.close();
    }
  });

  it('refuses a scope it does not know, a key it does not have, and a bad command line', async () => {
    await expect(keys(['create'], { scope: 'owner' })).rejects.toThrow(
      /--scope <scope>' argument 'owner' is invalid. Allowed choices are read, write, admin/,
    );
    await expect(keys(['revoke', '000000000000'])).rejects.toThrow(/no live key 000000000000/);
    await expect(keys(['rotate'])).rejects.toThrow(/unknown command 'rotate'/);
    await expect(keys(['revoke'])).rejects.toThrow(/missing required argument 'id'/);
  });
});
