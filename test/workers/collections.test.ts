import { applyD1Migrations, env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createWorker } from '../../edge/adapters/workers/create-worker.ts';
import type { D1DatabaseBinding } from '../../edge/adapters/workers/d1-state.ts';
import type { CollectionsNamespace } from '../../edge/adapters/workers/durable-collection-store.ts';
import { COLLECTION_WRITES_MESSAGE } from '../../edge/adapters/workers/read-only.ts';
import {
  DeleteItemsResponseSchema,
  ItemResponseSchema,
  ItemsPageResponseSchema,
  UpsertItemsResponseSchema,
} from '../../edge/collection-schemas.ts';
import type { Logger } from '../../edge/logger.ts';
import {
  CollectionInfoSchema,
  CollectionsResponseSchema,
  EmbedResponseSchema,
  ErrorResponseSchema,
  SearchResponseSchema,
  SimilarItemsResponseSchema,
} from '../../edge/schemas.ts';
import { generateApiKey } from '../../shared/auth/api-key.ts';
import { INSERT_KEY } from '../../shared/db/edge-state.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import { seedBucket } from './seed.ts';

// Written collections on the Worker, inside workerd: with the WrittenCollections Durable Object bound as
// COLLECTIONS (and STATE for the keys) they are created, filled, searched (checked against brute force
// over the stored vectors), updated and deleted from, and outlive the Worker that wrote them; without
// the binding every route of them answers 405 saying why.

interface CollectionsEnv {
  MODELS: Parameters<typeof seedBucket>[0];
  STATE: D1DatabaseBinding;
  COLLECTIONS: unknown;
}
const bindings = env as unknown as CollectionsEnv;

const quiet: Logger = { info: () => undefined, error: () => undefined };

/** A fresh Worker (a new isolate's app) over the given bindings. */
function worker(vars: Record<string, unknown>) {
  const app = createWorker(quiet);
  return (path: string, init: RequestInit = {}) =>
    Promise.resolve(app.fetch(new Request(`http://worker${path}`, init), vars));
}

describe('written collections without the COLLECTIONS binding', () => {
  it.each([
    ['POST', '/v1/collections', 'GET, HEAD'],
    ['DELETE', '/v1/collections/tickets', 'GET, HEAD'],
    // No method is taken on the items' paths, so no Allow.
    ['POST', '/v1/collections/tickets/items', null],
    ['POST', '/v1/collections/tickets/items/delete', null],
    ['DELETE', '/v1/collections/tickets/items/t-1', null],
    ['GET', '/v1/collections/tickets/items/t-1', null],
    ['GET', '/v1/collections/tickets/items', null],
    ['GET', '/v1/items/t-1', null],
    ['POST', '/v1/collections/tickets/reembed', 'GET, HEAD'],
  ])('%s %s answers 405 saying why', async (method, path, allow) => {
    const fetch = worker({ MODELS: bindings.MODELS, STATE: bindings.STATE });
    const response = await fetch(path, { method, body: method === 'POST' ? '{"name": "tickets"}' : null });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    const { error } = ErrorResponseSchema.parse(await response.json());
    expect(error).toEqual({ code: 'method_not_allowed', message: COLLECTION_WRITES_MESSAGE });
    expect(error.message).toMatch(/bind the WrittenCollections Durable Object as COLLECTIONS/);
  });
});

describe('written collections in the WrittenCollections Durable Object', () => {
  const vars = () => ({ MODELS: bindings.MODELS, STATE: bindings.STATE, COLLECTIONS: bindings.COLLECTIONS });
  let key: string;
  /** The version of tiny the collection is bound to. */
  let createdVersion = '';
  const TOPICS = ['printer', 'login', 'invoice', 'network'];
  const ticket = (i: number) => ({
    id: `t-${String(i).padStart(2, '0')}`,
    text: `ticket ${i}: the ${TOPICS[i % 4]} fails again`,
    metadata: { team: TOPICS[i % 2] },
  });

  beforeAll(async () => {
    await seedBucket(bindings.MODELS, inject('r2Objects'));
    await applyD1Migrations(bindings.STATE as never, inject('d1Migrations'));
    const generated = await generateApiKey();
    await bindings.STATE.batch([
      bindings.STATE.prepare(INSERT_KEY).bind(
        generated.id,
        null,
        'write',
        generated.sha256,
        new Date().toISOString(),
      ),
    ]);
    key = generated.key;
  });

  const call = async (fetch: ReturnType<typeof worker>, method: string, path: string, body?: unknown) => {
    const response = await fetch(path, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  /** /v1/search against brute force over the stored vectors (read back) and a query from /v1/embed. */
  async function expectBruteForce(fetch: ReturnType<typeof worker>, query: string) {
    const page = ItemsPageResponseSchema.parse(
      (await call(fetch, 'GET', '/v1/collections/tickets/items?include_vector=true&limit=1000')).body,
    );
    const [embedded] = EmbedResponseSchema.parse(
      (await call(fetch, 'POST', '/v1/embed', { inputs: [query], model: 'tiny' })).body,
    ).embeddings;
    const truth = page.items
      .map((item) => cosineSimilarity(embedded, item.vector!))
      .sort((a, b) => b - a)
      .slice(0, 5);
    const reply = await call(fetch, 'POST', '/v1/search', {
      query,
      collection: 'tickets',
      model: 'tiny',
      k: 5,
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const { results } = SearchResponseSchema.parse(reply.body);
    expect(results.map((hit) => hit.score)).toEqual(truth.map((score) => expect.closeTo(score, 5)));
    return results;
  }

  it('creates, fills in batches and searches a collection exactly', async () => {
    const fetch = worker(vars());
    const created = await call(fetch, 'POST', '/v1/collections', {
      name: 'tickets',
      model: 'tiny',
      filterable: [{ name: 'team', type: 'text' }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      name: 'tickets',
      model: 'tiny',
      items: 0,
      writable: true,
      search: 'exact',
    });
    createdVersion = CollectionInfoSchema.parse(created.body).model_version;
    for (const start of [0, 10]) {
      const items = Array.from({ length: 10 }, (_, i) => ticket(start + i));
      const reply = await call(fetch, 'POST', '/v1/collections/tickets/items?model=tiny', {
        items,
        model: 'tiny',
      });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(UpsertItemsResponseSchema.parse(reply.body)).toMatchObject({ created: 10, items: start + 10 });
    }
    await expectBruteForce(fetch, 'the printer fails');
    const filtered = SearchResponseSchema.parse(
      (
        await call(fetch, 'POST', '/v1/search', {
          query: 'fails',
          collection: 'tickets',
          model: 'tiny',
          k: 20,
          filter: { team: 'login' },
        })
      ).body,
    );
    expect(filtered.results).toHaveLength(10);
    expect(filtered.results.every((hit) => hit.metadata.team === 'login')).toBe(true);
  });

  it('writes nothing of a batch with one bad item', async () => {
    const fetch = worker(vars());
    const bad = [ticket(30), { ...ticket(31), metadata: {} }];
    const reply = await call(fetch, 'POST', '/v1/collections/tickets/items', { items: bad, model: 'tiny' });
    expect(reply.status).toBe(400);
    expect(ErrorResponseSchema.parse(reply.body).error.message).toMatch(/^items\.1\.metadata\.team/);
    expect((await call(fetch, 'GET', '/v1/collections/tickets/items/t-30?model=tiny')).status).toBe(404);
  });

  it('the object writes a batch all or nothing', async () => {
    const namespace = bindings.COLLECTIONS as CollectionsNamespace;
    const object = namespace.get(namespace.idFromName('written-collections'));
    const send = async (request: unknown) => {
      const response = await object.fetch(
        new Request('https://written-collections/', { method: 'POST', body: JSON.stringify(request) }),
      );
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const ref = { model: 'tiny', name: 'tickets' };
    const before = await send({ op: 'sources', ...ref });
    const item = (id: string, metadata: Record<string, unknown>) => ({
      id,
      vector: [1, 0, 0, 0, 0, 0, 0, 0],
      text: null,
      source: null,
      metadata,
    });
    const refused = await send({
      op: 'upsert',
      ...ref,
      modelVersion: createdVersion,
      items: [item('raw-1', { team: 'x' }), item('raw-2', {})],
    });
    expect(refused).toEqual({
      status: 400,
      body: { error: 'item "raw-2": filterable field "team" is missing' },
    });
    expect(await send({ op: 'sources', ...ref })).toEqual(before);
  });

  it('the object binds a collection to a new version only from the revision its vectors were made at', async () => {
    const namespace = bindings.COLLECTIONS as CollectionsNamespace;
    const object = namespace.get(namespace.idFromName('written-collections'));
    const send = async (request: unknown) => {
      const response = await object.fetch(
        new Request('https://written-collections/', { method: 'POST', body: JSON.stringify(request) }),
      );
      return (await response.json()) as Record<string, unknown>;
    };
    const spare = { model: 'tiny', name: 'spare' };
    await send({ op: 'create', ...spare, modelVersion: 'v1', dims: 2 });
    const item = (id: string, vector: number[]) => ({ id, vector, text: null, source: null, metadata: {} });
    await send({ op: 'upsert', ...spare, modelVersion: 'v1', items: [item('a', [1, 0]), item('b', [0, 1])] });
    const { revision } = (await send({ op: 'sources', ...spare })) as { revision: number };
    const vectors = [
      { id: 'a', vector: [0, 1] },
      { id: 'b', vector: [1, 0] },
    ];
    const early = await send({ op: 'rebind', ...spare, revision: revision - 1, modelVersion: 'v2', vectors });
    expect(early).toMatchObject({ rebound: false });
    const rebound = await send({ op: 'rebind', ...spare, revision, modelVersion: 'v2', vectors });
    expect(rebound).toMatchObject({ rebound: true });
    expect((rebound.collections as { name: string }[]).find((c) => c.name === 'spare')).toMatchObject({
      modelVersion: 'v2',
      items: 2,
    });
    const hits = (await send({ op: 'search', ...spare, query: [1, 0], k: 2 })) as { hits: { id: string }[] };
    expect(hits.hits.map((hit) => hit.id)).toEqual(['b', 'a']);
    await send({ op: 'drop', ...spare });
  });

  it('updates and deletes, and a new Worker finds every write', async () => {
    const fetch = worker(vars());
    const updated = await call(fetch, 'POST', '/v1/collections/tickets/items', {
      items: [{ id: 't-03', text: 'a brand new laptop battery', metadata: { team: 'login' } }],
      model: 'tiny',
    });
    expect(UpsertItemsResponseSchema.parse(updated.body)).toMatchObject({
      created: 0,
      updated: 1,
      items: 20,
    });
    const deleted = await call(fetch, 'POST', '/v1/collections/tickets/items/delete', {
      ids: ['t-01', 'nope'],
      model: 'tiny',
    });
    expect(DeleteItemsResponseSchema.parse(deleted.body)).toMatchObject({
      deleted: ['t-01'],
      not_found: ['nope'],
      items: 19,
    });

    // The deployed Worker (wrangler.toml's bindings), each request its own: stubs must not outlive one.
    const later = (path: string, init: RequestInit = {}) => SELF.fetch(`http://worker${path}`, init);
    const { collections } = CollectionsResponseSchema.parse(
      (await call(later, 'GET', '/v1/collections')).body,
    );
    expect(collections.find((c) => c.name === 'tickets')).toMatchObject({ items: 19, writable: true });
    const item = ItemResponseSchema.parse(
      (await call(later, 'GET', '/v1/items/t-03?collection=tickets&model=tiny')).body,
    );
    expect(item).toMatchObject({ text: 'a brand new laptop battery', embedded: true });
    const results = await expectBruteForce(later, 'laptop battery');
    expect(results.map((hit) => hit.id)).not.toContain('t-01');
    const similar = await call(later, 'GET', '/v1/items/t-03/similar?collection=tickets&model=tiny&k=3');
    expect(similar.status, JSON.stringify(similar.body)).toBe(200);
    expect(SimilarItemsResponseSchema.parse(similar.body).results.map((hit) => hit.id)).not.toContain('t-03');

    const dropped = await call(later, 'DELETE', '/v1/collections/tickets?model=tiny');
    expect(dropped.body).toEqual({ collection: 'tickets', model: 'tiny', deleted: true, items: 19 });
    const gone = await call(worker(vars()), 'POST', '/v1/search', {
      query: 'x',
      collection: 'tickets',
      model: 'tiny',
    });
    expect(gone.status).toBe(404);
  });
});
