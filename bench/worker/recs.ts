import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../trainer/backend/index.ts';
import { STAGES } from '../../trainer/pipeline/stages.ts';
import { d1MigrationsApply, parseD1Target } from '../../trainer/publish/d1.ts';
import { createD1ApiKey } from '../../trainer/publish/d1-keys.ts';
import { uploadToR2 } from '../../trainer/publish/r2.ts';
import { loadRecsConfig } from '../../trainer/tasks/recommendation/config.ts';
import { runRecsPipeline } from '../../trainer/tasks/recommendation/stages/pipeline.ts';

/** The recommendation model the worker bench serves beside its text model: the tests' tiny one. */
export const RECS_FIXTURE = fileURLToPath(new URL('../../test/fixtures/recs/tiny.json', import.meta.url));
/** A user the tiny model's data knows (their shipped history pools into the user vector). */
export const RECS_USER = '7';
/** Items of the tiny catalogue that events name, in turn. */
const EVENT_ITEMS = ['101', '102', '103', '201', '202', '203', '301', '302', '303'];

export interface SeededRecs {
  model: string;
  /** A key with the write scope, in the local D1 database. */
  writeKey: string;
}

/**
 * Trains the tiny recommendation model into `dir`/recs-artifacts, uploads it into the local R2 bucket
 * in `persistTo` (beside the text model), applies migrations/edge-state/ to the local D1 database there
 * (`wrangler d1 migrations apply --local`) and creates a write key in it, as a deployment would.
 */
export async function seedRecsWorker(dir: string, persistTo: string): Promise<SeededRecs> {
  const config = loadRecsConfig(RECS_FIXTURE);
  const artifactsDir = join(dir, 'recs-artifacts');
  await runRecsPipeline({
    config,
    runDir: join(dir, 'recs-run'),
    runId: 'bench-worker-recs',
    version: 'v1',
    backend: await initBackend('wasm'),
    progress: { update: () => undefined, log: () => undefined, done: () => undefined },
    artifactsDir,
    stages: STAGES,
  });
  await uploadToR2({ artifactsDir, bucket: 'dml-edge-models', local: true, persistTo, model: config.name });
  const target = parseD1Target({ local: true, persistTo });
  await d1MigrationsApply(target);
  const { key } = await createD1ApiKey(target, { scope: 'write', name: 'bench' });
  return { model: config.name, writeKey: key };
}

/** The body of the round's /v1/recommend: the known user's top 10. */
export function recommendBody(): unknown {
  return { user_id: RECS_USER, k: 10 };
}

/**
 * One event per round, for a user of its own so histories stay short, with a client id (as a client
 * that retries would send): every round is a real insert, committed before the answer.
 */
export function eventRequest(round: number, writeKey: string): { path: string; init: RequestInit } {
  return {
    path: `/v1/users/bench-${round % 50}/events`,
    init: {
      method: 'POST',
      headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [{ item_id: EVENT_ITEMS[round % EVENT_ITEMS.length], id: `bench-${round}-${Date.now()}` }],
      }),
    },
  };
}
