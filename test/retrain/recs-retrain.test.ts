import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventLog } from '../../cli/commands/retrain.ts';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import { createApiKey, openStateDb } from '../../edge/adapters/node/state-db.ts';
import { EventsResponseSchema } from '../../edge/schemas.ts';
import { versionDir } from '../../shared/artifacts/layout.ts';
import { readRunFile } from '../../trainer/pipeline/run-dir.ts';
import type { Comparison } from '../../trainer/retrain/comparison.ts';
import { parseRetrainConfig } from '../../trainer/retrain/config.ts';
import { SnapshotSchema } from '../../trainer/retrain/snapshot.ts';
import { RecsRunInfoSchema } from '../../trainer/tasks/recommendation/stages/train.ts';
import { createWorkspace, retrainArgs, runCli, summaryOf, type Workspace } from './workspace.ts';

/**
 * The recommendation model's nightly job end to end: a first champion, events recorded through a real
 * Node server (POST /v1/users/{id}/events with a write key), the next job snapshotting them, training on
 * them, comparing with the champion and promoting, the server switching to the new version, an unchanged
 * snapshot skipped, and a weak candidate rejected while the champion serves on.
 */
const MODEL = 'tiny-recs';
const FIXTURE = fileURLToPath(new URL('../fixtures/recs/tiny.json', import.meta.url));
const JOB_TIMEOUT = 300_000;
/** Candidates trained on a few more events score about as the champion; the weak one far below. */
const GATE = { metric: 'ndcg_at_10', tolerance: 0.1 };

let workspace: Workspace;
let statePath: string;
let server: RunningServer;
let writeKey: string;
const versions = { first: '', second: '' };

async function retrainConfig(name: string, training: unknown) {
  const json = { training, gate: GATE, report: false };
  const path = join(workspace.root, `retrain-${name}.json`);
  await writeFile(path, JSON.stringify(json, null, 2));
  return { path, parsed: parseRetrainConfig(json, path) };
}

/** The job in this process, reading the server's events. */
async function retrainInProcess(training: unknown, name: string) {
  const events = await openEventLog(statePath);
  try {
    return await workspace.retrain((await retrainConfig(name, training)).parsed, { events });
  } finally {
    events.close();
  }
}

async function postEvents(user: string, events: { item_id: string; rating?: number; timestamp?: number }[]) {
  const response = await fetch(`${server.url}/v1/users/${user}/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(response.status).toBe(201);
  return EventsResponseSchema.parse(await response.json());
}

async function servedVersion(): Promise<string | null> {
  const response = await fetch(`${server.url}/v1/recommend`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: '7', k: 3 }),
  });
  await response.arrayBuffer();
  expect(response.status).toBe(200);
  return response.headers.get('x-model-version');
}

beforeAll(async () => {
  workspace = await createWorkspace('dml-retrain-recs-');
  statePath = join(workspace.artifactsDir, 'state.db');
  const { summary } = await retrainInProcess(FIXTURE, 'first');
  expect(summary).toMatchObject({ status: 'promoted', model: MODEL, champion: null });
  versions.first = summary.version!;
  server = await startNodeServer({
    port: 0,
    artifactsDir: workspace.artifactsDir,
    watchIntervalMs: 100,
    reloadOnSighup: false,
  });
  const state = await openStateDb(statePath);
  try {
    writeKey = (await createApiKey(state.db, { scope: 'write', name: 'retrain test' })).key;
  } finally {
    state.close();
  }
}, JOB_TIMEOUT);

afterAll(async () => {
  await server?.close();
  await workspace?.remove();
});

describe('retraining the recommendation model', () => {
  it(
    'trains on the events the edge recorded, promotes the candidate over the champion, and the server follows',
    async () => {
      expect(await servedVersion()).toBe(`${MODEL}@${versions.first}`);
      const binge = [301, 302, 303, 304, 305].map((item, n) => ({
        item_id: String(item),
        rating: 5,
        timestamp: 1_700_000_000 + n * 60,
      }));
      await postEvents('night-owl', binge);
      const last = await postEvents('7', [{ item_id: '102' }, { item_id: '103', rating: 4.5 }]);

      const run = await runCli(
        retrainArgs(workspace, (await retrainConfig('events', FIXTURE)).path, '--state', statePath),
      );
      expect(run.code, run.stderr).toBe(0);
      const summary = summaryOf(run);
      expect(summary).toMatchObject({ status: 'promoted', model: MODEL, metric: 'ndcg_at_10' });
      versions.second = summary.version!;
      // Both were scored, on the same cases, as the edge serves them.
      expect(summary.champion!).toBeGreaterThan(0.5);
      expect(Math.abs(summary.candidate! - summary.champion!)).toBeLessThan(GATE.tolerance);

      const all = await workspace.records(MODEL);
      const [before, after] = [all[versions.first], all[versions.second]].map((v) =>
        SnapshotSchema.parse(v.snapshot),
      );
      expect(after.fingerprint).not.toBe(before.fingerprint);
      const events = after.parts.find((part) => part.source === 'edge-events')!;
      expect(events).toMatchObject({ records: 7, newRecords: 7, cursor: String(last.cursor) });
      expect(before.parts.find((part) => part.source === 'edge-events')).toMatchObject({ records: 0 });
      expect(all[versions.second]).toMatchObject({ status: 'champion', parentVersion: versions.first });

      const runDir = all[versions.second].runDir!;
      const csv = readFileSync(join(runDir, 'snapshot', 'events.csv'), 'utf8')
        .trimEnd()
        .split('\n');
      expect(csv[0]).toBe('userId,movieId,rating,timestamp');
      expect(csv).toContain('night-owl,301,5,1700000000');
      expect(csv.some((line) => /^7,102,,\d+(\.\d+)?$/.test(line))).toBe(true);
      const firstRun = readRunFile(all[versions.first].runDir!, 'run', RecsRunInfoSchema);
      const secondRun = readRunFile(runDir, 'run', RecsRunInfoSchema);
      expect(secondRun.data.users).toBe(firstRun.data.users + 1);
      expect(secondRun.data.interactions).toBe(firstRun.data.interactions + 7);

      const comparison = JSON.parse(readFileSync(join(runDir, 'comparison.json'), 'utf8')) as Comparison;
      expect(comparison.champion?.version).toBe(versions.first);
      expect(comparison.evalSet.used).toBeGreaterThanOrEqual(comparison.evalSet.size / 2);

      const deadline = Date.now() + 30_000;
      while ((await servedVersion()) !== `${MODEL}@${versions.second}`) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    JOB_TIMEOUT,
  );

  it(
    'skips a second run when no event arrived',
    async () => {
      const { summary, exitCode } = await retrainInProcess(FIXTURE, 'events');
      expect(exitCode).toBe(0);
      expect(summary).toMatchObject({ status: 'skipped', version: versions.second });
    },
    JOB_TIMEOUT,
  );

  it(
    'rejects a weak candidate with the reasons, the champion serves on, and the listing shows both',
    async () => {
      const tiny = JSON.parse(readFileSync(FIXTURE, 'utf8'));
      const fixture = (file: string) => join(FIXTURE, '..', file);
      const weak = {
        ...tiny,
        data: { ...tiny.data, interactions: [fixture('ratings.csv')], items: fixture('movies.csv') },
        train: { ...tiny.train, epochs: 0.3, optimizer: { learningRate: 1e-6 } },
      };
      const { summary, exitCode } = await retrainInProcess(weak, 'weak');
      expect(exitCode).toBe(3);
      expect(summary.status).toBe('rejected');
      expect(summary.reason).toMatch(
        /^does not beat both baselines on its test split .*; worse than the champion: ndcg_at_10 /,
      );
      expect(summary.candidate!).toBeLessThan(summary.champion! - GATE.tolerance);
      expect(await servedVersion()).toBe(`${MODEL}@${versions.second}`);
      expect(existsSync(versionDir(workspace.artifactsDir, MODEL, summary.version!))).toBe(false);
      expect((await workspace.records(MODEL))[summary.version!]).toMatchObject({
        status: 'rejected',
        reason: summary.reason,
      });

      const list = await runCli(['models', 'list', '--model', MODEL, '--artifacts', workspace.artifactsDir]);
      const lines = list.stdout.trimEnd().split('\n');
      expect(lines[1]).toMatch(/^version\s+status\s+ndcg_at_10\s+hr_at_10\s+parent/);
      expect(lines.slice(2).map((line) => line.split(/\s+/).slice(0, 2))).toEqual([
        [summary.version, 'rejected'],
        [versions.second, 'champion'],
        [versions.first, 'retired'],
      ]);
    },
    JOB_TIMEOUT,
  );
});
