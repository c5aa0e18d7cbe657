import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerDev } from '../../bench/worker/wrangler-dev.ts';
import { openEventLog } from '../../cli/commands/retrain.ts';
import { EventsResponseSchema } from '../../edge/schemas.ts';
import { type D1Target, d1MigrationsApply, parseD1Target } from '../../trainer/publish/d1.ts';
import { createD1ApiKey } from '../../trainer/publish/d1-keys.ts';
import { uploadToR2 } from '../../trainer/publish/r2.ts';
import { parseRetrainConfig } from '../../trainer/retrain/config.ts';
import { runRetrain } from '../../trainer/retrain/job.ts';
import { SnapshotSchema } from '../../trainer/retrain/snapshot.ts';
import { D1_EVENTS_SOURCE, d1EventLog } from '../../trainer/tasks/recommendation/retrain/d1-event-log.ts';
import { createWorkspace, type Workspace } from './workspace.ts';

/**
 * The nightly job learning from what the Worker recorded: the recommendation model runs in `wrangler
 * dev` over a local R2 bucket and a local D1 database (both in one --persist-to folder), a client
 * records events through it with a key made by the D1 key tooling, and the next retrain reads them from
 * D1 through `wrangler d1 execute --local --persist-to`, beside the Node server's (absent) state
 * database, and says in its summary how many events came from each.
 */
const MODEL = 'tiny-recs';
const FIXTURE = fileURLToPath(new URL('../fixtures/recs/tiny.json', import.meta.url));
const TIMEOUT = 600_000;

let workspace: Workspace;
let target: D1Target;
let statePath: string;

async function retrainWithBothLogs(name: string) {
  const json = { training: FIXTURE, gate: { metric: 'ndcg_at_10', tolerance: 0.1 }, report: false };
  const path = join(workspace.root, `retrain-${name}.json`);
  await writeFile(path, JSON.stringify(json));
  const nodeLog = await openEventLog(statePath);
  try {
    const quiet = { update: () => undefined, log: () => undefined, done: () => undefined };
    return await runRetrain({
      config: parseRetrainConfig(json, path),
      artifactsDir: workspace.artifactsDir,
      runsDir: workspace.runsDir,
      registryPath: workspace.registryPath,
      events: [nodeLog, d1EventLog(target)],
      progress: quiet,
    });
  } finally {
    nodeLog.close();
  }
}

beforeAll(async () => {
  workspace = await createWorkspace('dml-retrain-d1-');
  statePath = join(workspace.artifactsDir, 'state.db');
  target = parseD1Target({ local: true, persistTo: join(workspace.root, 'wrangler') });
}, TIMEOUT);

afterAll(async () => {
  await workspace?.remove();
});

describe('retraining on the events the Worker recorded in D1', () => {
  it(
    'reads them from local D1 through wrangler, and the summary says how many came from where',
    async () => {
      // The first job: nothing recorded anywhere yet (D1 not even migrated).
      const first = await retrainWithBothLogs('first');
      expect(first.summary).toMatchObject({ status: 'promoted', model: MODEL });
      expect(first.summary.events).toEqual([
        expect.objectContaining({ source: 'edge-events', records: 0, new: null }),
        expect.objectContaining({ source: D1_EVENTS_SOURCE.name, records: 0, new: null }),
      ]);

      // The champion on the Worker, with its state in D1, and a write key there.
      await uploadToR2({
        artifactsDir: workspace.artifactsDir,
        bucket: 'dml-edge-models',
        local: true,
        persistTo: target.persistTo,
      });
      await d1MigrationsApply(target);
      const { key } = await createD1ApiKey(target, { scope: 'write', name: 'retrain test' });

      const dev = await startWorkerDev(target.persistTo!);
      const recorded: number[] = [];
      try {
        const post = async (user: string, events: unknown[]) => {
          const response = await fetch(`${dev.url}/v1/users/${user}/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events }),
          });
          expect(response.status, dev.log()).toBeLessThan(300);
          return EventsResponseSchema.parse(await response.json());
        };
        const binge = [301, 302, 303, 304, 305].map((item, n) => ({
          item_id: String(item),
          rating: 5,
          timestamp: 1_700_000_000 + n * 60,
          id: `owl-${n}`,
        }));
        recorded.push((await post('night-owl', binge)).stored);
        // Resent after a lost answer: stored once.
        recorded.push((await post('night-owl', binge)).stored);
        recorded.push(
          (
            await post('7', [
              { item_id: '102', id: 'u7-a' },
              { item_id: '103', rating: 4.5 },
            ])
          ).stored,
        );
      } finally {
        await dev.stop();
      }
      expect(recorded).toEqual([5, 0, 2]);

      const second = await retrainWithBothLogs('second');
      expect(second.summary.status).toMatch(/^(promoted|rejected)$/);
      expect(second.summary.events).toEqual([
        {
          source: 'edge-events',
          from: expect.stringContaining('(absent)'),
          records: 0,
          new: 0,
        },
        {
          source: D1_EVENTS_SOURCE.name,
          from: expect.stringMatching(
            /^events for collection tiny-movies in D1 STATE \(local, .*\), ids up to \d+$/,
          ),
          records: 7,
          new: 7,
        },
      ]);

      const records = await workspace.records(MODEL);
      const candidate = records[second.summary.version!];
      const snapshot = SnapshotSchema.parse(candidate.snapshot);
      expect(snapshot.parts.map((part) => part.source)).toEqual([
        'csv-files',
        'edge-events',
        'edge-events-d1',
      ]);
      const csv = readFileSync(join(candidate.runDir!, 'snapshot', D1_EVENTS_SOURCE.file), 'utf8')
        .trimEnd()
        .split('\n');
      expect(csv[0]).toBe('userId,movieId,rating,timestamp');
      expect(csv.filter((line) => line.startsWith('night-owl,'))).toHaveLength(5);
      expect(csv).toContain('night-owl,301,5,1700000000');
      expect(csv.some((line) => /^7,103,4\.5,\d+(\.\d+)?$/.test(line))).toBe(true);
    },
    TIMEOUT,
  );
});
