import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import {
  createApiKey,
  openStateDb,
  readEventsSince,
  revokeApiKey,
  type StateDb,
} from '../../edge/adapters/node/state-db.ts';
import {
  EmbedResponseSchema,
  ErrorResponseSchema,
  EventsResponseSchema,
  ModelsResponseSchema,
  RecommendResponseSchema,
  SimilarItemsResponseSchema,
} from '../../edge/schemas.ts';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { recentDistinct, userVector } from '../../shared/recs/user-vector.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import { readRunFile } from '../../trainer/pipeline/run-dir.ts';
import { STAGES } from '../../trainer/pipeline/stages.ts';
import { loadRecsConfig } from '../../trainer/tasks/recommendation/config.ts';
import { allItemVectors } from '../../trainer/tasks/recommendation/inference.ts';
import { itemText } from '../../trainer/tasks/recommendation/item-text.ts';
import { RecsEvaluationSchema } from '../../trainer/tasks/recommendation/stages/evaluate.ts';
import { runRecsPipeline } from '../../trainer/tasks/recommendation/stages/pipeline.ts';
import {
  loadTrainedRecsModel,
  type TrainedRecsModel,
} from '../../trainer/tasks/recommendation/stages/weights.ts';

/**
 * Recommendations end to end on the synthetic fixture: the tiny model is trained, evaluated, exported,
 * indexed and published inside the test, then served by a real Node server whose answers are checked
 * against the trained TF.js weights.
 */
const config = loadRecsConfig(fileURLToPath(new URL('../fixtures/recs/tiny.json', import.meta.url)));

let root: string;
let runDir: string;
let server: RunningServer;
let lockedServer: RunningServer;
let state: StateDb;
let model: TrainedRecsModel;
let items: Float32Array;
const keys = { write: '', read: '', revoked: '' };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dml-recs-'));
  runDir = join(root, 'runs', 'tiny');
  const artifactsDir = join(root, 'artifacts');
  const quiet = { update: () => undefined, log: () => undefined, done: () => undefined };
  await runRecsPipeline({
    config,
    runDir,
    runId: 'tiny-recs-test',
    version: 'v1',
    backend: await initBackend('wasm'),
    progress: quiet,
    artifactsDir,
    stages: STAGES,
  });
  model = loadTrainedRecsModel(runDir);
  items = allItemVectors(model.weights, model.features);

  state = await openStateDb(join(artifactsDir, 'state.db'));
  keys.write = (await createApiKey(state.db, { scope: 'write', name: 'test writer' })).key;
  keys.read = (await createApiKey(state.db, { scope: 'read' })).key;
  const revoked = await createApiKey(state.db, { scope: 'admin' });
  revokeApiKey(state.db, revoked.id);
  keys.revoked = revoked.key;

  server = await startNodeServer({ port: 0, artifactsDir, watchIntervalMs: 0, reloadOnSighup: false });
  lockedServer = await startNodeServer({
    port: 0,
    artifactsDir,
    watchIntervalMs: 0,
    reloadOnSighup: false,
    requireKeys: true,
  });
}, 600_000);

afterAll(async () => {
  await server?.close();
  await lockedServer?.close();
  state?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const post = (path: string, body: unknown, key?: string, base = server.url) =>
  call(base + path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: key ? { Authorization: `Bearer ${key}` } : {},
  });

function ok<S extends z.ZodType>(reply: Reply, schema: S, status = 200): z.output<S> {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return schema.parse(reply.body);
}

function error(reply: Reply, status: number, code: string): string {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  const { error } = ErrorResponseSchema.parse(reply.body);
  expect(error.code).toBe(code);
  return error.message;
}

const rowOf = (id: string) => model.dataset.rowOf.get(id)!;
const vectorOf = (id: string) =>
  items.subarray(rowOf(id) * model.weights.dim, (rowOf(id) + 1) * model.weights.dim);

/** What the trained weights recommend for a history of positives, leaving out `seen`. */
function expectedTop(positives: string[], seen: Set<string>, k: number) {
  const { dim, userKernel, userBias } = model.weights;
  const pooled = recentDistinct(positives, config.model.recentItems);
  const user = userVector(pooled.map(vectorOf), {
    dim,
    kernel: userKernel,
    bias: userBias,
    recencyDecay: config.model.recencyDecay,
  });
  const ranked = model.dataset.items
    .filter((item) => !seen.has(item.id))
    .map((item) => ({ id: item.id, score: cosineSimilarity(user, vectorOf(item.id)) }))
    .sort((a, b) => b.score - a.score);
  return { basedOn: pooled, top: ranked.slice(0, k) };
}

function expectSameRanking(
  actual: { id: string; score: number }[],
  expected: { id: string; score: number }[],
) {
  expect(actual.map((hit) => hit.score)).toEqual(expected.map((hit) => expect.closeTo(hit.score, 5)));
  // Ties within float error may swap; every id must still be one of the expected.
  expect(new Set(actual.map((hit) => hit.id))).toEqual(new Set(expected.map((hit) => hit.id)));
}

/** The dataset's history of a user: positives in time order and everything they rated. */
function historyOf(user: string) {
  const history = model.dataset.users.find((u) => u.id === user)!;
  const ids = Array.from(history.items, (row) => model.dataset.items[row].id);
  return { positives: ids.filter((_, i) => history.positive[i] === 1), seen: new Set(ids) };
}

describe('the recommendation pipeline', () => {
  it('beats most-popular and item-kNN on the held-out items, and publishes', () => {
    const evaluation = readRunFile(runDir, 'evaluation', RecsEvaluationSchema);
    expect(evaluation.beatsBaselines).toBe(true);
    for (const name of ['hr_at_10', 'ndcg_at_10']) {
      expect(evaluation.model[name]).toBeGreaterThan(evaluation.itemKnn[name]);
      expect(evaluation.model[name]).toBeGreaterThan(evaluation.mostPopular[name]);
    }
  });

  it('is listed by the server as a recommendation model with its metrics and parity', async () => {
    const { models } = ok(await call(`${server.url}/v1/models`), ModelsResponseSchema);
    const listed = models.find((m) => m.name === 'tiny-recs')!;
    expect([listed.task, listed.collections]).toEqual(['recommendation', ['tiny-movies']]);
    expect(listed.metrics.parity.user_min_cosine).toBeGreaterThan(0.99999);
    expect(listed.metrics.tfjs.hr_at_10).toBeGreaterThan(listed.metrics.item_knn.hr_at_10);
  });
});

describe('POST /v1/recommend', () => {
  it('serves a known user from their stored history exactly as the trained model ranks', async () => {
    const { positives, seen } = historyOf('7');
    const reply = await post('/v1/recommend', { user_id: '7', k: 5 });
    const body = ok(reply, RecommendResponseSchema);
    expect(reply.headers.get('x-model-version')).toBe('tiny-recs@v1');
    const expected = expectedTop(positives, seen, 5);
    expect(body.based_on).toEqual(expected.basedOn);
    expectSameRanking(body.results, expected.top);
    expect(body.results.some((hit) => seen.has(hit.id))).toBe(false);
    const first = model.dataset.items[rowOf(body.results[0].id)];
    expect(body.results[0].metadata).toMatchObject({
      title: first.title,
      categories: first.categories,
      year: first.year,
    });
  });

  it('serves a user the model never saw from their recent items alone', async () => {
    const recent = ['301', '302', '303'];
    const body = ok(
      await post('/v1/recommend', { user_id: 'newcomer', recent_items: recent, k: 4 }),
      RecommendResponseSchema,
    );
    expect(body.user_id).toBe('newcomer');
    const expected = expectedTop(recent, new Set(recent), 4);
    expectSameRanking(body.results, expected.top);
  });

  it('keeps seen items with exclude_seen false, and applies metadata filters', async () => {
    const recent = ['101', '102'];
    const all = ok(
      await post('/v1/recommend', { recent_items: recent, k: 3, exclude_seen: false }),
      RecommendResponseSchema,
    );
    expectSameRanking(all.results, expectedTop(recent, new Set(), 3).top);

    const years = Array.from({ length: 14 }, (_, i) => 1990 + i);
    const horror = ok(
      await post('/v1/recommend', { recent_items: recent, k: 6, filter: { horror: true, year: years } }),
      RecommendResponseSchema,
    );
    expect(horror.results).toHaveLength(6);
    for (const hit of horror.results) {
      expect(hit.metadata.categories).toContain('Horror');
      expect(years).toContain(hit.metadata.year);
    }
    const message = error(
      await post('/v1/recommend', { recent_items: recent, filter: { mood: 'dark' } }),
      400,
      'invalid_request',
    );
    expect(message).toMatch(/cannot filter on "mood" \(filterable fields: year, /);
  });

  it('answers 404 for an unknown user without recent items, and for unknown items, naming them', async () => {
    expect(error(await post('/v1/recommend', { user_id: 'ghost' }), 404, 'user_not_found')).toMatch(
      /"ghost"/,
    );
    const message = error(
      await post('/v1/recommend', { recent_items: ['101', 'nope', '9999'] }),
      404,
      'item_not_found',
    );
    expect(message).toBe('collection "tiny-movies" has no item "nope", "9999"');
  });

  it('answers 400 for a body that names no user and no items, or a k out of range', async () => {
    expect(error(await post('/v1/recommend', { k: 3 }), 400, 'invalid_request')).toMatch(/user_id/);
    error(await post('/v1/recommend', { user_id: '7', k: 0 }), 400, 'invalid_request');
    error(await post('/v1/recommend', { user_id: '7', model: 'missing' }), 404, 'model_not_found');
  });
});

describe('GET /v1/items/{id}/similar', () => {
  it('returns the items nearest to the item, without it', async () => {
    const reply = await call(`${server.url}/v1/items/205/similar?k=4`);
    const body = ok(reply, SimilarItemsResponseSchema);
    expect([body.item, body.collection, reply.headers.get('x-model-version')]).toEqual([
      '205',
      'tiny-movies',
      'tiny-recs@v1',
    ]);
    const expected = model.dataset.items
      .filter((item) => item.id !== '205')
      .map((item) => ({ id: item.id, score: cosineSimilarity(vectorOf('205'), vectorOf(item.id)) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 4);
    expectSameRanking(body.results, expected);
  });

  it('answers 404 for an unknown item or collection and 400 for a bad k', async () => {
    error(await call(`${server.url}/v1/items/nope/similar`), 404, 'item_not_found');
    error(await call(`${server.url}/v1/items/205/similar?collection=nope`), 404, 'collection_not_found');
    error(await call(`${server.url}/v1/items/205/similar?k=0`), 400, 'invalid_request');
  });
});

describe('POST /v1/users/{id}/events', () => {
  it('needs a live key with the write scope: 401 without or with a wrong or revoked one, 403 for read', async () => {
    const body = { events: [{ item_id: '101' }] };
    const missing = await post('/v1/users/u1/events', body);
    expect(error(missing, 401, 'unauthorized')).toMatch(/Authorization: Bearer/);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const lastChanged = `${keys.write.slice(0, -1)}${keys.write.endsWith('x') ? 'y' : 'x'}`;
    error(await post('/v1/users/u1/events', body, lastChanged), 401, 'unauthorized');
    error(await post('/v1/users/u1/events', body, 'not-a-key'), 401, 'unauthorized');
    error(await post('/v1/users/u1/events', body, keys.revoked), 401, 'unauthorized');
    expect(error(await post('/v1/users/u1/events', body, keys.read), 403, 'forbidden')).toMatch(
      /needs write/,
    );
    expect(readEventsSince(state.db, 0).events).toEqual([]);
  });

  it('changes the user’s next recommendations at once and is there for the retrain job', async () => {
    const { positives, seen } = historyOf('12');
    const before = ok(await post('/v1/recommend', { user_id: '12', k: 5 }), RecommendResponseSchema);
    const watched = before.results.slice(0, 2).map((hit) => hit.id);
    const stored = ok(
      await post(
        '/v1/users/12/events',
        { events: [{ item_id: watched[0], rating: 5, timestamp: 1_600_000_000 }, { item_id: watched[1] }] },
        keys.write,
      ),
      EventsResponseSchema,
      201,
    );
    expect([stored.user_id, stored.collection, stored.stored]).toEqual(['12', 'tiny-movies', 2]);

    const after = ok(await post('/v1/recommend', { user_id: '12', k: 5 }), RecommendResponseSchema);
    expect(after.based_on.slice(-2)).toEqual(watched);
    const expected = expectedTop([...positives, ...watched], new Set([...seen, ...watched]), 5);
    expectSameRanking(after.results, expected.top);

    const { events, cursor } = readEventsSince(state.db, 0);
    expect(events.map((e) => [e.user, e.item, e.rating])).toEqual([
      ['12', watched[0], 5],
      ['12', watched[1], null],
    ]);
    expect(cursor).toBe(stored.cursor);
  });

  it('counts a low rating as seen but not liked', async () => {
    ok(
      await post('/v1/users/fresh/events', { events: [{ item_id: '401' }] }, keys.write),
      EventsResponseSchema,
      201,
    );
    ok(
      await post('/v1/users/fresh/events', { events: [{ item_id: '402', rating: 1 }] }, keys.write),
      EventsResponseSchema,
      201,
    );
    const body = ok(await post('/v1/recommend', { user_id: 'fresh', k: 5 }), RecommendResponseSchema);
    expect(body.based_on).toEqual(['401']);
    expect(body.results.map((hit) => hit.id)).not.toContain('402');
  });

  it('stores nothing when an item is unknown, naming it', async () => {
    const before = readEventsSince(state.db, 0).events.length;
    const reply = await post(
      '/v1/users/u2/events',
      { events: [{ item_id: '101' }, { item_id: 'x1' }] },
      keys.write,
    );
    expect(error(reply, 404, 'item_not_found')).toMatch(/"x1"/);
    expect(readEventsSince(state.db, 0).events).toHaveLength(before);
  });

  it('stores a batch resent after a lost answer once, when its events carry ids', async () => {
    const batch = {
      events: [
        { item_id: '201', rating: 5, id: 'retry-1' },
        { item_id: '202', id: 'retry-2' },
      ],
    };
    const first = ok(await post('/v1/users/retrier/events', batch, keys.write), EventsResponseSchema, 201);
    const again = ok(await post('/v1/users/retrier/events', batch, keys.write), EventsResponseSchema, 200);
    expect([first.stored, first.duplicates, again.stored, again.duplicates]).toEqual([2, 0, 0, 2]);
    expect(again.cursor).toBe(first.cursor);
    const stored = readEventsSince(state.db, 0).events.filter((e) => e.user === 'retrier');
    expect(stored.map((e) => [e.item, e.clientId])).toEqual([
      ['201', 'retry-1'],
      ['202', 'retry-2'],
    ]);
    const twice = await post(
      '/v1/users/retrier/events',
      {
        events: [
          { item_id: '203', id: 'same' },
          { item_id: '204', id: 'same' },
        ],
      },
      keys.write,
    );
    expect(error(twice, 400, 'invalid_request')).toMatch(/"same" appears twice/);
  });
});

describe('a server started with keys required', () => {
  it('answers reads only with a key, keeps /healthz open and still needs write for events', async () => {
    error(await call(`${lockedServer.url}/v1/models`), 401, 'unauthorized');
    const withKey = await call(`${lockedServer.url}/v1/models`, {
      headers: { Authorization: `Bearer ${keys.read}` },
    });
    ok(withKey, ModelsResponseSchema);
    expect((await call(`${lockedServer.url}/healthz`)).status).toBe(200);
    ok(await post('/v1/recommend', { user_id: '7' }, keys.read, lockedServer.url), RecommendResponseSchema);
    error(
      await post('/v1/users/7/events', { events: [{ item_id: '101' }] }, keys.read, lockedServer.url),
      403,
      'forbidden',
    );
  });
});

describe('the content encoder', () => {
  it('gives a new item, through /v1/embed, the vector its title and categories give in training', async () => {
    const item = { title: 'Last Orbit (2031)', categories: ['Sci-Fi'] };
    const body = ok(
      await post('/v1/embed', { inputs: [itemText(item)], model: 'tiny-recs' }),
      EmbedResponseSchema,
    );
    const features = [createTextFeaturizer(config.featurizer).featurize(itemText(item))];
    const expected = allItemVectors(model.weights, features, { contentOnly: true });
    expect(cosineSimilarity(body.embeddings[0], expected)).toBeGreaterThan(0.999);
  });
});

describe('/openapi.json', () => {
  it('describes the recommendation endpoints and the bearer scheme', async () => {
    const document = (await call(`${server.url}/openapi.json`)).body as {
      paths: Record<string, unknown>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/recommend', '/v1/items/{id}/similar', '/v1/users/{id}/events']),
    );
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
