import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventLogs } from '../../cli/commands/retrain.ts';
import { parseCurrentPointer } from '../../shared/artifacts/layout.ts';
import { d1MigrationsApply, parseD1Target } from '../../trainer/publish/d1.ts';
import { runWrangler, uploadToR2 } from '../../trainer/publish/r2.ts';
import { publishTinyVersion } from '../fixtures/tiny-version.ts';
import { runCliInProcess } from './in-process.ts';

/**
 * The command line's Workers targets, against wrangler's local state in a temporary --persist-to
 * folder: keys in D1 (`keys ... --target d1 --local`), promote and rollback in R2 (`models ...
 * --target r2 --local`), and the retrain job's event sources (`retrain --events`).
 */
let dir: string;
let persistTo: string;
let artifacts: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dml-workers-cli-'));
  persistTo = join(dir, 'wrangler');
  artifacts = join(dir, 'artifacts');
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]) {
  const result = await runCliInProcess(args);
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
  return result;
}

describe('dml-edge keys --target d1', () => {
  it('says to apply the migrations when the database has no tables yet', async () => {
    const result = await runCliInProcess([
      'keys',
      'list',
      '--target',
      'd1',
      '--local',
      '--persist-to',
      persistTo,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'apply the migrations first (npx wrangler d1 migrations apply STATE --local',
    );
  }, 120_000);

  it('creates a key printed once, lists it without its secret, and revokes it', async () => {
    await d1MigrationsApply(parseD1Target({ local: true, persistTo }));
    const where = ['--target', 'd1', '--local', '--persist-to', persistTo];
    const { stdout } = await cli('keys', 'create', '--scope', 'write', '--name', 'ingest', ...where);
    const key = stdout.trim();
    expect(key).toMatch(/^dmle_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    const id = key.split('_')[1];
    const listed = (await cli('keys', 'list', ...where)).stdout;
    expect(listed).toMatch(new RegExp(`^${id} +write +\\S+ +live +ingest$`, 'm'));
    expect(listed).not.toContain(key.slice(`dmle_${id}_`.length));
    await cli('keys', 'revoke', id, ...where);
    expect((await cli('keys', 'list', ...where)).stdout).toMatch(
      new RegExp(`^${id} +write +\\S+ +revoked `, 'm'),
    );
    const again = await runCliInProcess(['keys', 'revoke', id, ...where]);
    expect([again.code, again.stderr]).toEqual([
      1,
      expect.stringContaining(`no live key ${id} in D1 STATE (local`),
    ]);
  }, 180_000);

  it('refuses --local without --target d1, and --persist-to without --local', async () => {
    expect((await runCliInProcess(['keys', 'list', '--local'])).code).toBe(2);
    expect((await runCliInProcess(['keys', 'list', '--target', 'd1', '--persist-to', persistTo])).code).toBe(
      2,
    );
  });
});

function publish(version: string, seed: number) {
  return publishTinyVersion({ artifactsDir: artifacts, work: dir, name: 'tiny', version, seed });
}

describe('dml-edge models promote|rollback --target r2', () => {
  const bucketVersion = async () =>
    parseCurrentPointer(
      await runWrangler([
        'r2',
        'object',
        'get',
        'dml-edge-models/tiny/current',
        '--pipe',
        '--local',
        '--persist-to',
        persistTo,
      ]),
      'tiny/current',
    ).version;

  it('switch the registry, the local pointer and `current` in R2 together', async () => {
    await publish('v1', 1);
    await uploadToR2({ artifactsDir: artifacts, bucket: 'dml-edge-models', local: true, persistTo });
    await publish('v2', 2);
    const where = ['--artifacts', artifacts, '--target', 'r2', '--local', '--persist-to', persistTo];
    // Published locally (v2 is current there) but not promoted in R2 yet.
    expect(await bucketVersion()).toBe('v1');

    const promoted = await cli('models', 'promote', 'v2', ...where);
    expect(promoted.stdout).toMatch(/^tiny: v2 is live \(was v\d\)\n/);
    expect(promoted.stdout).toContain(
      'R2 bucket dml-edge-models (local): tiny/current is v2 (uploaded 4 objects)',
    );
    expect(await bucketVersion()).toBe('v2');

    const rolledBack = await cli('models', 'rollback', ...where);
    expect(rolledBack.stdout).toContain(
      'R2 bucket dml-edge-models (local): tiny/current is v1 (uploaded 1 object)',
    );
    expect(await bucketVersion()).toBe('v1');
  }, 240_000);
});

describe('dml-edge retrain --events', () => {
  it("reads the Node server's state database, the Worker's D1 database, or both", async () => {
    const state = join(dir, 'state.db');
    const opened = async (flags: Parameters<typeof openEventLogs>[0]) => {
      const logs = await openEventLogs(flags);
      for (const log of logs) log.close();
      return logs.map((log) => [log.source?.name ?? 'edge-events', log.location]);
    };
    expect(await opened({ events: ['d1'], local: true, persistTo, state })).toEqual([
      ['edge-events-d1', `D1 STATE (local, ${persistTo})`],
    ]);
    expect(await opened({ events: ['state', 'd1'], state, database: 'EVENTS' })).toEqual([
      ['edge-events', `${state} (absent)`],
      ['edge-events-d1', 'D1 EVENTS'],
    ]);
    expect(await opened({ state })).toEqual([['edge-events', `${state} (absent)`]]);
  });

  it('refuses an unknown source, and D1 flags without d1, before reading its config', async () => {
    // A config that does not exist, and folders of the test's own: nothing can train here.
    const elsewhere = [
      '--config',
      join(dir, 'absent.json'),
      '--artifacts',
      artifacts,
      '--runs',
      join(dir, 'runs'),
    ];
    expect((await runCliInProcess(['retrain', '--events', 'kafka', ...elsewhere])).code).toBe(2);
    const local = await runCliInProcess(['retrain', '--events', 'state', '--local', ...elsewhere]);
    expect(local.code).toBe(1);
    expect(local.stdout).toContain('--local, --persist-to and --database apply to --events d1');
  });
});
