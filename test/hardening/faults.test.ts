import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStatePath } from '../../edge/adapters/node/state-db.ts';
import { readCurrent, setCurrent } from '../../shared/artifacts/current.ts';
import { modelDir, versionDir } from '../../shared/artifacts/layout.ts';
import { listVersions } from '../../shared/artifacts/listing.ts';
import { verifyVersion } from '../../shared/artifacts/verify.ts';
import { openVecDatabase } from '../../shared/db/better-sqlite.ts';
import type { CliRun } from '../retrain/workspace.ts';
import {
  createTestKeys,
  createWorkspace,
  publishRecsModel,
  publishTextModel,
  TEXT_COLLECTION,
  TEXT_MODEL,
  type TestKeys,
  type Workspace,
} from './fixtures.ts';
import { errorCode, send } from './http.ts';
import { type ServedProcess, serveInChild } from './served.ts';

/**
 * Crashes, on `dml-edge serve` and on a publishing job run as child processes and SIGKILLed mid-work:
 * during event ingestion, during an index build, during a model swap. After each, the databases pass
 * PRAGMA integrity_check, no acknowledged event is missing, and the restarted server serves the last
 * complete version. Files whose checksum does not match their manifest are refused with a message naming
 * them, while the version already serving goes on.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PUBLISHER = fileURLToPath(new URL('./publish-child.ts', import.meta.url));
const BIG_INDEX = 8_000;
/** Past the first committed transaction of the index builder (4,096 rows). */
const KILL_AT_ITEMS = 4_352;

let workspace: Workspace;
let keys: TestKeys;
let server: ServedProcess;
/** The publisher's temporary folder (its TMPDIR), where its staging index lives. */
let scratch: string;

beforeAll(async () => {
  workspace = await createWorkspace('dml-faults-');
  scratch = join(workspace.root, 'tmp');
  mkdirSync(scratch);
  await publishTextModel(workspace.artifactsDir);
  await publishRecsModel(workspace);
  keys = await createTestKeys(workspace.artifactsDir);
  server = await serve();
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await workspace?.remove();
});

const serve = (via: 'cli' | 'script' = 'script') => serveInChild(workspace.artifactsDir, { via });

/** SIGKILLs the server, then starts a new one on the same artifacts and state. */
async function killAndRestart(): Promise<void> {
  const run = await server.kill();
  expect(run.signal).toBe('SIGKILL');
  server = await serve();
}

function integrityCheck(path: string): string {
  const db = openVecDatabase(path, { readonly: false });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/** The index.db the live text version serves. */
async function servedIndex(): Promise<string> {
  const current = await readCurrent(workspace.artifactsDir, TEXT_MODEL);
  return join(versionDir(workspace.artifactsDir, TEXT_MODEL, current!.version), 'index.db');
}

/** Which text model version answers a search now. */
async function answeringVersion(): Promise<string | null> {
  const reply = await send(`${server.url}/v1/search`, {
    body: { query: 'red shoes', collection: TEXT_COLLECTION },
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.headers.get('x-model-version');
}

async function waitFor<T>(probe: () => Promise<T>, wanted: T, what: string, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while ((await probe()) !== wanted) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the publishing job; with `killAt`, SIGKILLs it once it reports that many items indexed. */
function publish(version: string, killAt?: number): Promise<CliRun & { indexed: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', PUBLISHER, workspace.artifactsDir, version, String(BIG_INDEX)],
    {
      cwd: REPO,
      env: { ...process.env, TMPDIR: scratch },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let indexed = 0;
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    indexed = Math.max(indexed, ...[...stdout.matchAll(/^indexed (\d+)$/gm)].map((m) => Number(m[1])));
    if (killAt !== undefined && indexed >= killAt) child.kill('SIGKILL');
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, indexed }));
  });
}

describe('kill -9 during event ingestion', () => {
  it('leaves a sound state database holding every acknowledged event; the restarted server uses them', async () => {
    for (let round = 0; round < 2; round++) {
      const acknowledged: { user: string; cursor: number; items: string[] }[] = [];
      let writing = true;
      const writer = async (n: number) => {
        for (let i = 0; writing; i++) {
          const user = `crash-${round}-${n}`;
          const items = ['319', '316', '317'].slice(0, 1 + (i % 3));
          try {
            const reply = await send(`${server.url}/v1/users/${user}/events`, {
              body: { events: items.map((item_id) => ({ item_id })) },
              key: keys.write,
            });
            if (reply.status === 201)
              acknowledged.push({ user, cursor: JSON.parse(reply.text).cursor, items });
          } catch {
            return; // the server is gone
          }
        }
      };
      const writers = Promise.all([0, 1, 2, 3].map(writer));
      await waitFor(async () => acknowledged.length >= 20 + 15 * round, true, 'acknowledged events');
      await killAndRestart();
      writing = false;
      await writers;

      const db = openVecDatabase(defaultStatePath(workspace.artifactsDir), { readonly: false });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const rows = db.prepare(
          'SELECT id, user_id AS user, item_id AS item FROM events WHERE id <= ? AND id > ?',
        );
        for (const ack of acknowledged) {
          const stored = rows.all(ack.cursor, ack.cursor - ack.items.length);
          expect(stored).toEqual(
            ack.items.map((item, i) => ({ id: ack.cursor - ack.items.length + 1 + i, user: ack.user, item })),
          );
        }
      } finally {
        db.close();
      }
      const last = acknowledged.at(-1)!;
      const reply = await send(`${server.url}/v1/recommend`, { body: { user_id: last.user, k: 3 } });
      expect(reply.status, reply.text).toBe(200);
      expect(JSON.parse(reply.text).based_on).toEqual(expect.arrayContaining(last.items.slice(0, 1)));
    }
  }, 120_000);
});

describe('kill -9 during an index build', () => {
  it('leaves no partial version; the databases are sound; the server serves the last complete version', async () => {
    const killed = await publish('v2', KILL_AT_ITEMS);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(killed.indexed).toBeLessThan(BIG_INDEX);
    // The half-built index is where the builder writes, never under artifacts/, and SQLite kept it sound.
    const [staging] = readdirSync(scratch).filter((name) => name.startsWith('dml-edge-staging-'));
    const partial = readdirSync(join(scratch, staging)).filter((name) =>
      /^\.tmp-index\.db-\d+-[0-9a-f]{8}$/.test(name),
    );
    expect(partial).toHaveLength(1);
    expect(integrityCheck(join(scratch, staging, partial[0]))).toBe('ok');
    expect(await listVersions(workspace.artifactsDir, TEXT_MODEL)).toEqual(['v1']);
    expect(
      readdirSync(modelDir(workspace.artifactsDir, TEXT_MODEL)).filter((name) => name.startsWith('.')),
    ).toEqual([]);
    expect((await readCurrent(workspace.artifactsDir, TEXT_MODEL))?.version).toBe('v1');

    expect(await answeringVersion()).toBe(`${TEXT_MODEL}@v1`);
    await killAndRestart();
    expect(await answeringVersion()).toBe(`${TEXT_MODEL}@v1`);
    expect(integrityCheck(await servedIndex())).toBe('ok');

    // The job run again completes, and the running server swaps to it by itself.
    const rerun = await publish('v2');
    expect(rerun.code, rerun.stderr).toBe(0);
    await waitFor(answeringVersion, `${TEXT_MODEL}@v2`, 'the server to serve v2');
    expect(integrityCheck(await servedIndex())).toBe('ok');
    const { collections } = JSON.parse((await send(`${server.url}/v1/collections`)).text);
    expect(collections.find((c: { name: string }) => c.name === TEXT_COLLECTION).items).toBe(BIG_INDEX);
  }, 180_000);
});

describe('kill -9 during a model swap', () => {
  it('restarts serving exactly the version `current` names, always a complete one', async () => {
    for (const [round, target] of ['v1', 'v2', 'v1'].entries()) {
      // Promote loads and verifies the other version (an 8,000-item index or a 5-item one) as the kill lands.
      const promoting = send(`${server.url}/v1/admin/models/${TEXT_MODEL}/promote`, {
        body: { version: target },
        key: keys.admin,
      }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 30 + 150 * round));
      await killAndRestart();
      await promoting;
      const current = (await readCurrent(workspace.artifactsDir, TEXT_MODEL))!.version;
      await verifyVersion(versionDir(workspace.artifactsDir, TEXT_MODEL, current));
      expect(await answeringVersion()).toBe(`${TEXT_MODEL}@${current}`);
      expect(integrityCheck(await servedIndex())).toBe('ok');
      expect(integrityCheck(defaultStatePath(workspace.artifactsDir))).toBe('ok');
    }
  }, 120_000);
});

describe('files that fail their checksum', () => {
  /** Flips one byte in the middle of a file, as a bad disk or a partial copy would. */
  function corrupt(path: string): () => void {
    const original = readFileSync(path);
    const damaged = Buffer.from(original);
    damaged[damaged.length >> 1] ^= 0xff;
    writeFileSync(path, damaged);
    return () => writeFileSync(path, original);
  }
  const admin = (path: string, body?: unknown) =>
    send(server.url + path, { method: 'POST', body, key: keys.admin });

  it('are refused at load, naming the file, while the version already serving goes on', async () => {
    const promoted = await admin(`/v1/admin/models/${TEXT_MODEL}/promote`, { version: 'v2' });
    expect(promoted.status, promoted.text).toBe(200);
    const v1 = versionDir(workspace.artifactsDir, TEXT_MODEL, 'v1');

    for (const file of ['model.int8.onnx', 'index.db']) {
      const restore = corrupt(join(v1, file));
      // Asked for by name: refused before the pointer moves.
      const refused = await admin(`/v1/admin/models/${TEXT_MODEL}/promote`, { version: 'v1' });
      expect(errorCode(refused, 409)).toBe('artifact_rejected');
      expect(JSON.parse(refused.text).error.message).toMatch(
        new RegExp(
          `^tiny@v1 cannot be served: tiny/v1/${file.replace('.', '\\.')} has sha256 [0-9a-f]{64}, the manifest says`,
        ),
      );
      expect(refused.text).not.toContain(workspace.root);
      expect((await readCurrent(workspace.artifactsDir, TEXT_MODEL))?.version).toBe('v2');

      // Switched to by hand, as a broken publish would: the reload is refused and v2 keeps serving.
      await setCurrent(workspace.artifactsDir, TEXT_MODEL, 'v1');
      const reload = await admin('/v1/admin/reload');
      expect(errorCode(reload, 409)).toBe('artifact_rejected');
      expect(JSON.parse(reload.text).error.message).toMatch(
        /^kept serving tiny-recs@v1, tiny@v2: refusing to serve tiny\/v1: /,
      );
      expect(reload.text).toContain(`tiny/v1/${file} has sha256`);
      expect(await answeringVersion()).toBe(`${TEXT_MODEL}@v2`);
      expect(server.stderr()).toContain('kept the current models');

      restore();
      await setCurrent(workspace.artifactsDir, TEXT_MODEL, 'v2');
    }

    // A server starting on a damaged version refuses to start, saying which file, in one line.
    const restore = corrupt(join(v1, 'model.int8.onnx'));
    await setCurrent(workspace.artifactsDir, TEXT_MODEL, 'v1');
    await server.kill();
    await expect(serve('cli')).rejects.toThrow(
      new RegExp(
        `dml-edge: refusing to serve ${v1}: ${v1}/model\\.int8\\.onnx has sha256 [0-9a-f]{64}, the manifest says`,
      ),
    );
    restore();
    await setCurrent(workspace.artifactsDir, TEXT_MODEL, 'v2');
    server = await serve();
    expect(await answeringVersion()).toBe(`${TEXT_MODEL}@v2`);
    expect(existsSync(join(v1, 'model.int8.onnx'))).toBe(true);
  }, 120_000);
});
