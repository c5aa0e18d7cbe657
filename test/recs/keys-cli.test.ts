import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysCommand } from '../../cli/keys.ts';
import { openStateDb } from '../../edge/adapters/node/state-db.ts';
import { verifyApiKey } from '../../edge/auth/require-scope.ts';

const BIN = fileURLToPath(new URL('../../bin/dml-edge.js', import.meta.url));
let dir: string;
let statePath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dml-keys-'));
  statePath = join(dir, 'state.db');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the command in this process and returns what it printed on stdout. */
async function keys(positionals: string[], values: Record<string, string> = {}): Promise<string> {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => printed.push(chunk) > 0) as typeof process.stdout.write;
  try {
    await keysCommand.run({ ...values, state: statePath }, positionals);
  } finally {
    process.stdout.write = write;
  }
  return printed.join('');
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
      /--scope must be one of read, write, admin/,
    );
    await expect(keys(['revoke', '000000000000'])).rejects.toThrow(/no live key 000000000000/);
    await expect(keys(['rotate'])).rejects.toThrow(/usage: dml-edge keys create/);
    await expect(keys(['revoke'])).rejects.toThrow(/usage/);
  });
});
