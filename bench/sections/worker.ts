import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDefaultTextModel } from '../published.ts';
import type { Row } from '../results.ts';
import { target, timingRow, valueRow } from '../rows.ts';
import type { RunnableSection, SectionContext, SectionOutcome } from '../section.ts';
import { type RepeatOptions, timeRounds } from '../stats.ts';
import { glossesAndLemmas } from '../wordnet-texts.ts';
import { eventRequest, RECS_USER, recommendBody, seedRecsWorker } from '../worker/recs.ts';
import { runWorkerScale } from '../worker/scale.ts';
import { seedWorkerBucket, WORKER_COLLECTION, WORKER_ITEMS, WORKER_MODEL } from '../worker/seed.ts';
import { postJson, startWorkerDev } from '../worker/wrangler-dev.ts';

const RECS_MODEL_NOTE =
  'the tiny recommendation model of the test suite (test/fixtures/recs: 122 synthetic films, 16 dims)';

const RESTARTS = 3;
const ROUNDS: RepeatOptions = { warmup: 10, repeats: 100 };
const BODIES = 64;
const SEED = 41;
const K = 10;
/** What a Workers isolate may use (Cloudflare's limit; `wrangler dev` does not enforce it). */
const ISOLATE_MB = 128;

export const workerSection: RunnableSection = {
  name: 'worker',
  title: 'worker: cold start and warm latency of the Workers build',
  run: runWorker,
};

type Endpoint = '/v1/embed' | '/v1/similarity' | '/v1/search' | '/v1/recommend' | EventWrite;
/** POST /v1/users/{id}/events: one event, committed to the local D1 database before the answer. */
type EventWrite = 'POST /v1/users/{id}/events';

async function runWorker(context: SectionContext): Promise<SectionOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'dml-edge-bench-worker-'));
  try {
    context.log(
      `training ${WORKER_MODEL.name} and filling a local R2 bucket with it and ${WORKER_ITEMS} items`,
    );
    const seeded = await seedWorkerBucket(dir);
    context.log(
      'training the tiny recommendation model into the same bucket; migrating the local D1 database',
    );
    const recs = await seedRecsWorker(dir, seeded.persistTo);
    const texts = glossesAndLemmas(2 * BODIES, SEED);
    const bodies: Record<Endpoint, (round: number) => unknown> = {
      '/v1/embed': (round) => ({ inputs: [texts[round % texts.length]] }),
      '/v1/similarity': (round) => ({
        pairs: [[texts[(2 * round) % texts.length], texts[(2 * round + 1) % texts.length]]],
      }),
      '/v1/search': (round) => ({ query: texts[round % texts.length], k: K }),
      '/v1/recommend': () => recommendBody(),
      'POST /v1/users/{id}/events': () => undefined,
    };

    const readyMs: number[] = [];
    const coldMs: number[] = [];
    let warm: Record<Endpoint, number[]> | undefined;
    let failures = 0;
    for (let restart = 1; restart <= RESTARTS; restart++) {
      context.log(`wrangler dev, start ${restart} of ${RESTARTS}`);
      const dev = await startWorkerDev(seeded.persistTo);
      try {
        readyMs.push(dev.readyMs);
        const started = performance.now();
        const status = await postJson(`${dev.url}/v1/embed`, bodies['/v1/embed'](0));
        if (status !== 200) throw new Error(`the first /v1/embed answered ${status}:\n${dev.log()}`);
        coldMs.push(performance.now() - started);
        if (restart < RESTARTS) continue;
        context.log(`warm latency: ${ROUNDS.repeats} rounds (+${ROUNDS.warmup} warm-up) of the 5 endpoints`);
        const request = (path: Exclude<Endpoint, EventWrite>) => async (round: number) => {
          if ((await postJson(`${dev.url}${path}`, bodies[path](round))) !== 200) failures++;
        };
        const eventWrite = async (round: number) => {
          const { path, init } = eventRequest(round, recs.writeKey);
          const response = await fetch(`${dev.url}${path}`, init);
          await response.arrayBuffer();
          if (response.status !== 201) failures++;
        };
        warm = await timeRounds(
          {
            '/v1/embed': request('/v1/embed'),
            '/v1/similarity': request('/v1/similarity'),
            '/v1/search': request('/v1/search'),
            '/v1/recommend': request('/v1/recommend'),
            'POST /v1/users/{id}/events': eventWrite,
          },
          ROUNDS,
        );
      } finally {
        await dev.stop();
      }
    }

    const rows: Row[] = [
      timingRow(
        'cold start',
        'wrangler dev: spawn to "Ready on" (build step, bundling, workerd start)',
        readyMs,
      ),
      timingRow(
        'cold start',
        'first /v1/embed answer after ready (the isolate reads, verifies and loads model and index, starts ORT and SQLite)',
        coldMs,
      ),
      timingRow(
        'cold start',
        'spawn to the first /v1/embed answer',
        readyMs.map((ms, i) => ms + coldMs[i]),
      ),
      ...Object.entries(warm ?? {}).map(([path, samples]) =>
        timingRow('warm latency, one request at a time', path, samples),
      ),
      valueRow(
        'warm latency, one request at a time',
        'non-2xx answers, all endpoints',
        failures,
        'requests',
        {
          target: target('0', failures === 0),
        },
      ),
      valueRow('served files', 'index.db', seeded.indexBytes / 1e6, 'MB', {
        note: `${WORKER_ITEMS.toLocaleString('en-US')} WordNet synsets x ${WORKER_MODEL.dim} dims`,
      }),
      valueRow('served files', 'model.int8.onnx', seeded.modelBytes / 1e6, 'MB'),
    ];
    // Issue 18: the default catalogue in one isolate, and a million items across Durable Objects.
    const scale = await runWorkerScale(context);
    return {
      status: 'ran',
      notes: [...(await notes(context)), ...scale.notes],
      rows: [...rows, ...scale.rows],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function notes(context: SectionContext): Promise<string[]> {
  const found = await findDefaultTextModel(context.options);
  const defaultIndex =
    'model' in found && found.model.indexPath
      ? `${(statSync(found.model.indexPath).size / 1e6).toFixed(1)} MB`
      : 'not published here';
  return [
    `The worker (wrangler.toml, edge/adapters/workers/) runs under \`wrangler dev\` on 127.0.0.1 over a local R2 ` +
      `bucket filled as \`dml-edge upload --target r2 --local\` fills one. It serves ${WORKER_MODEL.name}, a ` +
      `${WORKER_MODEL.dim}-dim text model trained for seconds and published the way the workerd test suite's ` +
      `model is (test/http/published-model.ts), with a collection "${WORKER_COLLECTION}" of ` +
      `${WORKER_ITEMS.toLocaleString('en-US')} seeded WordNet synsets.`,
    `Not the default model: its index.db (${defaultIndex}) alone is about the ${ISOLATE_MB} MB an isolate may ` +
      'use, before the ONNX session (docs/workers.md, "Limits"). `wrangler dev` would load it (it does not ' +
      'enforce the limit); Cloudflare would stop the isolate.',
    `Cold start: ${RESTARTS} starts of \`wrangler dev\` (median, min, max); the first request of each is a ` +
      '/v1/embed, which loads every model and index of the bucket. Warm latency: on the last start, rounds of ' +
      `one /v1/embed (one text), one /v1/similarity (one pair) and one /v1/search (k ${K}), one request at a ` +
      'time, bodies cycling through seeded WordNet glosses and lemmas. The Workers index is searched exactly by ' +
      'vec0 in WebAssembly (the search graph is a Node-adapter feature).',
    `Recommendations and events: the bucket also holds ${RECS_MODEL_NOTE}, and the local D1 database ` +
      '(STATE, migrated with `wrangler d1 migrations apply --local`) holds a write key. Each round adds one ' +
      `/v1/recommend (user ${RECS_USER}'s top ${K}: shipped history, recorded events from D1, user tower, ` +
      'exact search) and one event write (one event with a client id, committed to D1 in one batch before the ' +
      'answer; `wrangler dev` runs D1 as local SQLite, so this is workerd + SQLite, not D1 over the network). ' +
      "The first request's cold start loads both models.",
  ];
}
