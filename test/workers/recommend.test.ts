import { applyD1Migrations, env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createWorker } from '../../edge/adapters/workers/create-worker.ts';
import { type D1DatabaseBinding, d1State } from '../../edge/adapters/workers/d1-state.ts';
import { ADMIN_MESSAGE, NO_STATE_MESSAGE, READ_ONLY_MESSAGE } from '../../edge/adapters/workers/read-only.ts';
import type { Logger } from '../../edge/logger.ts';
import { ErrorResponseSchema, EventsResponseSchema, RecommendResponseSchema } from '../../edge/schemas.ts';
import { generateApiKey } from '../../shared/auth/api-key.ts';
import { INSERT_KEY, REVOKE_KEY } from '../../shared/db/edge-state.ts';
import {
  RECS_COLLECTION,
  RECS_STEPS,
  type RecsReply,
  type RecsStepName,
  SWITCH_REQUEST,
  sendRecsStep,
} from './recs-requests.ts';
import { decodeBase64, seedBucket } from './seed.ts';

// The whole product in workerd: recommendations, similar items, recorded events and API keys, with the
// tiny recommendation model the trainer made in the global setup uploaded to R2 (RECS) and a local D1
// database (STATE, from wrangler.toml) migrated with migrations/edge-state/. Answers must equal the Node
// server's for the same model, index and events (recs-fixtures.ts).

interface RecsEnv {
  RECS: Parameters<typeof seedBucket>[0];
  STATE: D1DatabaseBinding & { exec(sql: string): Promise<unknown> };
  TIGHT_LIMIT: { limit(options: { key: string }): Promise<{ success: boolean }> };
}
const bindings = env as unknown as RecsEnv;
const recs = inject('recs');

beforeAll(async () => {
  await seedBucket(bindings.RECS, recs.v1Objects);
  await applyD1Migrations(bindings.STATE, inject('d1Migrations'));
});

function recordingLogger() {
  const errors: string[] = [];
  const logger: Logger = {
    error: (_message, fields) => errors.push(String(fields.error)),
    info: () => undefined,
  };
  return { logger, errors };
}

/** A fresh worker over the recommendation bucket and STATE, with extra variables or bindings. */
function recsWorker(extra: Record<string, unknown> = {}, options: Parameters<typeof createWorker>[1] = {}) {
  const { logger, errors } = recordingLogger();
  const worker = createWorker(logger, options);
  const vars = { MODELS: bindings.RECS, STATE: bindings.STATE, ...extra };
  const fetcher = (url: string, init: RequestInit = {}) =>
    Promise.resolve(worker.fetch(new Request(url, init), vars));
  return { fetch: fetcher, errors };
}

/** Empties the state tables, ids included, as a fresh database (the Node side's was fresh). */
async function resetState(): Promise<void> {
  await bindings.STATE.batch([
    bindings.STATE.prepare('DELETE FROM events'),
    bindings.STATE.prepare('DELETE FROM api_keys'),
    bindings.STATE.prepare("DELETE FROM sqlite_sequence WHERE name = 'events'"),
  ]);
}

async function createKey(scope: 'read' | 'write' | 'admin', options: { revoked?: boolean } = {}) {
  const { id, key, sha256 } = await generateApiKey();
  const now = new Date().toISOString();
  await bindings.STATE.batch([
    bindings.STATE.prepare(INSERT_KEY).bind(id, null, scope, sha256, now),
    ...(options.revoked ? [bindings.STATE.prepare(REVOKE_KEY).bind(now, id)] : []),
  ]);
  return key;
}

async function eventCount(): Promise<number> {
  const row = await bindings.STATE.prepare('SELECT count(*) AS n FROM events').first();
  return Number(row?.n);
}

/** Node's body with every number allowed to differ by 1e-5 (scores; ids, counts and cursors are integers). */
function approximately(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : expect.closeTo(value, 5);
  if (Array.isArray(value)) return value.map(approximately);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, approximately(inner)]));
  }
  return value;
}

function expectSameReply(actual: RecsReply, expected: RecsReply, step: string): void {
  expect([actual.status, actual.modelVersion], step).toEqual([expected.status, expected.modelVersion]);
  expect(actual.body, step).toEqual(approximately(expected.body));
}

describe('the Worker serves the whole product as the Node server does', () => {
  it('answers every step of the scenario as Node did: recommendations, similar items, events, retries', async () => {
    await resetState();
    const writeKey = await createKey('write');
    const worker = recsWorker();
    const replies: Partial<Record<RecsStepName, RecsReply>> = {};
    for (const name of Object.keys(RECS_STEPS) as RecsStepName[]) {
      replies[name] = await sendRecsStep(worker.fetch, 'http://worker', RECS_STEPS[name], writeKey);
      expectSameReply(replies[name], recs.replies[name], name);
    }
    expect(worker.errors).toEqual([]);

    // What the equal answers amount to:
    const known = RecommendResponseSchema.parse(replies.knownUser?.body);
    const after = RecommendResponseSchema.parse(replies.knownUserAfterEvents?.body);
    expect(known.results.length).toBe(5);
    // Recorded events change the user's next recommendation at once, and seen items leave it.
    expect(after.based_on).not.toEqual(known.based_on);
    expect(after.based_on.slice(-2)).toEqual(['301', '302']);
    expect(after.results.map((hit) => hit.id)).not.toContain('301');
    // The batch resent after a dropped answer stored nothing; a partly new one stored only what was new.
    expect(replies.events?.status).toBe(201);
    expect(replies.eventsRetried?.status).toBe(200);
    expect(EventsResponseSchema.parse(replies.eventsRetried?.body)).toMatchObject({
      stored: 0,
      duplicates: 3,
    });
    expect(EventsResponseSchema.parse(replies.eventsPartlyRetried?.body)).toMatchObject({
      stored: 2,
      duplicates: 1,
    });
    expect(replies.eventsUnknownItem?.status).toBe(404);
    expect(replies.eventsTwiceInOneRequest?.status).toBe(400);
    // 3 + 0 + 2 + 1: every acknowledged event once, nothing from the refused requests.
    expect(await eventCount()).toBe(6);
    expect(RecommendResponseSchema.parse(replies.newUser?.body).based_on).toEqual(['205']);
  });

  it('stores a batch all or none: a failing event leaves no trace of the others', async () => {
    const state = d1State(bindings.STATE);
    const before = await eventCount();
    await expect(
      state.events.append(RECS_COLLECTION, 'u-batch', [
        { item: '101', rating: null, timestamp: 1, clientId: 'ok' },
        { item: '102', rating: null, timestamp: 2, clientId: 'x'.repeat(200) },
      ]),
    ).rejects.toThrow(/CHECK constraint/);
    expect(await eventCount()).toBe(before);
    expect(await state.events.history(RECS_COLLECTION, 'u-batch')).toEqual([]);
  });
});

describe('API keys in D1', () => {
  const events = RECS_STEPS.newUserEvents;
  const postEvents = (fetcher: ReturnType<typeof recsWorker>['fetch'], key?: string) =>
    fetcher(`http://worker${events.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(events.body),
    });
  const codeOf = async (response: Response) => ErrorResponseSchema.parse(await response.json()).error.code;

  it('refuse a write without a key (401), with a read key (403) and with a revoked key (401)', async () => {
    const worker = recsWorker();
    const missing = await postEvents(worker.fetch);
    expect([missing.status, await codeOf(missing)]).toEqual([401, 'unauthorized']);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="dml-edge"');
    const readOnly = await postEvents(worker.fetch, await createKey('read'));
    expect([readOnly.status, await codeOf(readOnly)]).toEqual([403, 'forbidden']);
    const revoked = await postEvents(worker.fetch, await createKey('write', { revoked: true }));
    expect([revoked.status, await codeOf(revoked)]).toEqual([401, 'unauthorized']);
    expect((await postEvents(worker.fetch, await createKey('admin'))).status).toBeLessThan(300);
  });

  it('leave reads open unless REQUIRE_KEYS, which then needs a live key for them too', async () => {
    const recommend = (fetcher: ReturnType<typeof recsWorker>['fetch'], key?: string) =>
      fetcher('http://worker/v1/recommend', {
        method: 'POST',
        headers: key ? { authorization: `Bearer ${key}` } : {},
        body: JSON.stringify({ recent_items: ['101'], k: 2 }),
      });
    expect((await recommend(recsWorker().fetch)).status).toBe(200);
    const locked = recsWorker({ REQUIRE_KEYS: 'true' });
    expect((await recommend(locked.fetch)).status).toBe(401);
    expect((await recommend(locked.fetch, await createKey('read'))).status).toBe(200);
    expect((await recommend(locked.fetch, await createKey('read', { revoked: true }))).status).toBe(401);
    expect((await locked.fetch('http://worker/healthz')).status).toBe(200);
  });

  it('take a revocation at once: the next request with the key is refused', async () => {
    const worker = recsWorker();
    const key = await createKey('write');
    expect((await postEvents(worker.fetch, key)).status).toBeLessThan(300);
    const id = key.split('_')[1];
    await bindings.STATE.prepare(REVOKE_KEY).bind(new Date().toISOString(), id).all();
    expect((await postEvents(worker.fetch, key)).status).toBe(401);
  });
});

describe('rate limits', () => {
  it("are counted by the Rate Limiting binding, shared by every app and isolate, not in one app's memory", async () => {
    const key = await createKey('read');
    const limited = { PER_KEY_LIMIT: bindings.TIGHT_LIMIT };
    const [a, b] = [recsWorker(limited), recsWorker(limited)];
    const similar = (worker: typeof a) =>
      worker.fetch('http://worker/v1/items/205/similar?k=2', { headers: { authorization: `Bearer ${key}` } });
    // The binding allows 3 a minute per key: two through one app, one through the other, then 429.
    expect((await similar(a)).status).toBe(200);
    expect((await similar(a)).status).toBe(200);
    expect((await similar(b)).status).toBe(200);
    const refused = await similar(b);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    const { error } = ErrorResponseSchema.parse(await refused.json());
    expect(error.code).toBe('rate_limited');
    expect(error.message).toMatch(/^too many requests from this API key: .*PER_KEY_LIMIT/);
    // The first app refuses it too (one count), while another key has a count of its own.
    expect((await similar(a)).status).toBe(429);
    const other = await createKey('read');
    const fresh = await a.fetch('http://worker/v1/items/205/similar?k=2', {
      headers: { authorization: `Bearer ${other}` },
    });
    expect(fresh.status).toBe(200);
  });

  it('per client address, from CF-Connecting-IP', async () => {
    const worker = recsWorker({ PER_ADDRESS_LIMIT: bindings.TIGHT_LIMIT });
    const from = (address: string) =>
      worker.fetch('http://worker/v1/items/205/similar?k=2', { headers: { 'cf-connecting-ip': address } });
    for (let i = 0; i < 3; i++) expect((await from('198.51.100.7')).status).toBe(200);
    expect((await from('198.51.100.7')).status).toBe(429);
    expect((await from('198.51.100.8')).status).toBe(200);
  });

  it('are bound in wrangler.toml, with limits no test run reaches', async () => {
    const worker = env as unknown as Record<string, { limit?: unknown } | undefined>;
    expect(typeof worker.PER_ADDRESS_LIMIT?.limit).toBe('function');
    expect(typeof worker.PER_KEY_LIMIT?.limit).toBe('function');
  });
});

describe('writes the Worker does not take', () => {
  const codeOf = async (response: Response) => ErrorResponseSchema.parse(await response.json()).error.code;

  it('admin endpoints answer 405 naming the CLI that switches versions in R2', async () => {
    for (const path of ['/v1/admin/reload', '/v1/admin/models/tiny/promote']) {
      const response = await SELF.fetch(`http://worker${path}`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(405);
      expect(ErrorResponseSchema.parse(await response.json()).error.message).toBe(ADMIN_MESSAGE);
    }
  });

  it('model writes answer 405: the index is a snapshot', async () => {
    const response = await SELF.fetch('http://worker/v1/models/tiny', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(ErrorResponseSchema.parse(await response.json()).error.message).toBe(READ_ONLY_MESSAGE);
  });

  it('events reach the app with the STATE binding wrangler.toml declares, and get 405 without one', async () => {
    const post = () => new Request('http://worker/v1/users/u-1/events', { method: 'POST', body: '{}' });
    const worker = createWorker(recordingLogger().logger);
    // wrangler.toml's bindings (STATE, the rate limits), over the recommendation bucket: the app's 401.
    const reached = await worker.fetch(post(), { ...env, MODELS: bindings.RECS, DEFAULT_MODEL: undefined });
    expect([reached.status, await codeOf(reached)]).toEqual([401, 'unauthorized']);
    const refused = await createWorker(recordingLogger().logger).fetch(post(), { MODELS: bindings.RECS });
    expect(refused.status).toBe(405);
    expect(ErrorResponseSchema.parse(await refused.json()).error.message).toBe(NO_STATE_MESSAGE);
  });
});

describe('promote and rollback in R2', () => {
  it('reach an isolate once CURRENT_TTL_SECONDS have passed, without a redeploy', async () => {
    let now = 1_000_000;
    const worker = recsWorker({ CURRENT_TTL_SECONDS: '30' }, { now: () => now });
    const ask = () => sendRecsStep(worker.fetch, 'http://worker', SWITCH_REQUEST, '');
    const pointer = (objects: typeof recs.v1Objects) => objects.find((o) => o.key.endsWith('/current'))!;
    try {
      expectSameReply(await ask(), recs.switchReplies.v1, 'v1 at first');

      // `models promote v2 --target r2`: v2's files, then the pointer.
      await seedBucket(bindings.RECS, recs.v2Objects);
      now += 29_000;
      expectSameReply(await ask(), recs.switchReplies.v1, 'v1 until the TTL has passed');
      now += 1_000;
      expectSameReply(await ask(), recs.switchReplies.v2, 'v2 after the TTL');
      expect(recs.switchReplies.v2.body).not.toEqual(recs.switchReplies.v1.body);

      // `models rollback --target r2`: only the pointer moves back.
      await bindings.RECS.put('tiny-recs/current', decodeBase64(pointer(recs.v1Objects).base64));
      now += 30_000;
      expectSameReply(await ask(), recs.switchReplies.v1, 'v1 after the rollback');

      // A pointer to a version whose files are not there: logged, and v1 serves on.
      await bindings.RECS.put(
        'tiny-recs/current',
        JSON.stringify({ version: 'v9', previous: 'v1', switched_at: new Date().toISOString() }),
      );
      now += 30_000;
      expectSameReply(await ask(), recs.switchReplies.v1, 'v1 while v9 cannot load');
      expect(worker.errors).toEqual(['tiny-recs/v9/manifest.json is missing from R2 binding MODELS']);
    } finally {
      await bindings.RECS.put('tiny-recs/current', decodeBase64(pointer(recs.v1Objects).base64));
    }
  });
});
