import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, openStateDb } from '../../edge/adapters/node/state-db.ts';
import {
  DeleteItemsResponseSchema,
  ItemResponseSchema,
  ItemsPageResponseSchema,
  ReembedResponseSchema,
  UpsertItemsResponseSchema,
} from '../../edge/collection-schemas.ts';
import {
  CollectionInfoSchema,
  CollectionsResponseSchema,
  EmbedResponseSchema,
  ErrorResponseSchema,
  SearchResponseSchema,
  SimilarItemsResponseSchema,
} from '../../edge/schemas.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import { publishTinyVersion } from '../fixtures/tiny-version.ts';
import { type ServedProcess, serveInChild } from '../hardening/served.ts';
import { type PublishedModel, publishTinyModel, temporaryDir } from './published-model.ts';

/**
 * Written collections through the real server (a child process, real sqlite-vec, real ONNX sessions): a
 * collection created, filled in batches, searched, updated, deleted from and searched again, across a
 * SIGKILL and restart and across a promotion of its model. Every search is checked against brute force
 * over the stored vectors (read back with include_vector) and a query embedded by /v1/embed.
 */

const TOPICS = ['printer', 'login', 'invoice', 'network', 'laptop', 'email', 'backup', 'phone'];
const textOf = (i: number) => `ticket ${i}: the ${TOPICS[i % TOPICS.length]} fails again, case ${i * 7}`;
const ticket = (i: number) => ({
  id: `t-${String(i).padStart(3, '0')}`,
  text: textOf(i),
  metadata: { team: TOPICS[i % 3] },
});

let artifacts: Awaited<ReturnType<typeof temporaryDir>>;
let server: ServedProcess;
let writeKey: string;
let readKey: string;
/** A second model with a published collection, `products` (the trainer's, read-only). */
let shop: PublishedModel;

beforeAll(async () => {
  artifacts = await temporaryDir('dml-edge-collections-');
  await publishTinyVersion({
    artifactsDir: artifacts.path,
    work: artifacts.path,
    name: 'tiny',
    version: 'v1',
  });
  // Named to sort after tiny, which stays the default model.
  shop = await publishTinyModel(artifacts.path, {
    name: 'web-shop',
    version: 'v1',
    dim: 8,
    seed: 3,
    collection: { name: 'products', items: [{ id: 'shoe-1', text: 'red running shoes' }] },
  });
  const state = await openStateDb(`${artifacts.path}/state.db`);
  writeKey = (await createApiKey(state.db, { scope: 'write' })).key;
  readKey = (await createApiKey(state.db, { scope: 'read' })).key;
  state.close();
  server = await serveInChild(artifacts.path, { via: 'script' });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await shop?.embedder.release();
  await artifacts?.remove();
});

async function call(method: string, path: string, body?: unknown, key: string | null = writeKey) {
  const response = await fetch(server.url + path, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

function expectError(
  reply: { status: number; body: unknown },
  status: number,
  code: string,
  message: RegExp,
) {
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  const { error } = ErrorResponseSchema.parse(reply.body);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
}

/** Every stored item with its vector, page by page. */
async function storedItems(collection: string) {
  const items = [];
  let after: string | null = null;
  do {
    const query = `limit=7&include_vector=true${after === null ? '' : `&after=${after}`}`;
    const reply = await call('GET', `/v1/collections/${collection}/items?${query}`);
    expect(reply.status).toBe(200);
    const page = ItemsPageResponseSchema.parse(reply.body);
    items.push(...page.items);
    after = page.next;
  } while (after !== null);
  return items;
}

/** /v1/search against brute force: the same top-k scores, each the cosine of that item's stored vector. */
async function expectBruteForce(collection: string, query: string, k: number) {
  const stored = await storedItems(collection);
  const embedded = EmbedResponseSchema.parse((await call('POST', '/v1/embed', { inputs: [query] })).body);
  const truth = stored
    .map((item) => cosineSimilarity(embedded.embeddings[0], item.vector!))
    .sort((a, b) => b - a)
    .slice(0, k);
  const reply = await call('POST', '/v1/search', { query, collection, k });
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  const { results } = SearchResponseSchema.parse(reply.body);
  expect(results.map((hit) => hit.score)).toEqual(truth.map((score) => expect.closeTo(score, 5)));
  const byId = new Map(stored.map((item) => [item.id, item]));
  for (const hit of results) {
    expect(hit.score).toBeCloseTo(cosineSimilarity(embedded.embeddings[0], byId.get(hit.id)!.vector!), 5);
  }
  return results;
}

async function collectionInfo(name: string) {
  const { collections } = CollectionsResponseSchema.parse((await call('GET', '/v1/collections')).body);
  return collections.find((c) => c.name === name);
}

describe('written collections on the Node server', () => {
  it('needs a key with the write scope', async () => {
    const create = { name: 'tickets', filterable: [{ name: 'team', type: 'text' }] };
    expectError(await call('POST', '/v1/collections', create, null), 401, 'unauthorized', /needs an API key/);
    expectError(
      await call('POST', '/v1/collections', create, readKey),
      403,
      'forbidden',
      /read scope.*needs write/,
    );
    expect(await collectionInfo('tickets')).toBeUndefined();
  });

  it('creates a collection bound to the version its model serves', async () => {
    const reply = await call('POST', '/v1/collections', {
      name: 'tickets',
      description: 'support tickets',
      filterable: [{ name: 'team', type: 'text' }],
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(CollectionInfoSchema.parse(reply.body)).toMatchObject({
      name: 'tickets',
      model: 'tiny',
      model_version: 'v1',
      dims: 4,
      items: 0,
      writable: true,
      search: 'exact',
    });
    expectError(
      await call('POST', '/v1/collections', { name: 'tickets' }),
      409,
      'collection_exists',
      /^name:/,
    );
    expectError(
      await call('POST', '/v1/collections', { name: 'products', model: 'web-shop' }),
      409,
      'collection_exists',
      /model web-shop already has a collection named "products"/,
    );
    expectError(
      await call('POST', '/v1/collections', { name: 'other', model: 'tiny@v0' }),
      409,
      'version_not_served',
      /^model: .*tiny@v1/,
    );
    expectError(
      await call('POST', '/v1/collections', { name: 'Bad Name' }),
      400,
      'invalid_request',
      /^name:/,
    );
  });

  it('fills it in batches, the server embedding the texts', async () => {
    for (let start = 0; start < 60; start += 20) {
      const items = Array.from({ length: 20 }, (_, i) => ticket(start + i));
      const reply = await call('POST', '/v1/collections/tickets/items', { items });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect(UpsertItemsResponseSchema.parse(reply.body)).toMatchObject({
        created: 20,
        updated: 0,
        items: start + 20,
      });
    }
    const vectorItem = { id: 'v-1', vector: [3, 0, 4, 0], metadata: { team: 'printer' } };
    expect((await call('POST', '/v1/collections/tickets/items', { items: [vectorItem] })).status).toBe(200);
    const item = ItemResponseSchema.parse(
      (await call('GET', '/v1/collections/tickets/items/v-1?include_vector=true')).body,
    );
    expect(item).toMatchObject({ id: 'v-1', text: null, embedded: false, model_version: 'v1' });
    expect(item.vector).toEqual([0.6, 0, 0.8, 0].map((v) => expect.closeTo(v, 6)));
    const byId = ItemResponseSchema.parse((await call('GET', '/v1/items/t-004?collection=tickets')).body);
    expect(byId).toMatchObject({
      id: 't-004',
      text: textOf(4),
      metadata: { team: TOPICS[1] },
      embedded: true,
    });
    expect(byId.vector).toBeUndefined();
    expect((await call('GET', '/v1/items/t-004?collection=tickets&model=tiny@v1')).status).toBe(200);
    expectError(
      await call('GET', '/v1/items/t-004?collection=tickets&model=tiny@v0'),
      409,
      'version_mismatch',
      /^model: collection "tickets" was embedded with tiny@v1/,
    );
  });

  it('writes nothing of a batch with one bad item, and names the field', async () => {
    const before = await collectionInfo('tickets');
    const batch = [ticket(100), ticket(101), { ...ticket(102), metadata: { team: 7 } }];
    expectError(
      await call('POST', '/v1/collections/tickets/items', { items: batch }),
      400,
      'invalid_request',
      /^items\.2\.metadata\.team: .*text value/,
    );
    const wrongDims = [ticket(100), { id: 'v-2', vector: [1, 2], metadata: { team: 'x' } }];
    expectError(
      await call('POST', '/v1/collections/tickets/items', { items: wrongDims }),
      400,
      'invalid_request',
      /^items\.1\.vector: the vector has 2 values, expected 4/,
    );
    const twoInputs = [{ ...ticket(100), vector: [1, 0, 0, 0] }];
    expectError(
      await call('POST', '/v1/collections/tickets/items', { items: twoInputs }),
      400,
      'invalid_request',
      /^items\.0\.vector: give exactly one/,
    );
    const big = [{ ...ticket(100), metadata: { team: 'x', notes: 'n'.repeat(9000) } }];
    expectError(
      await call('POST', '/v1/collections/tickets/items', { items: big }),
      400,
      'invalid_request',
      /^items\.0\.metadata: metadata is at most 8192 bytes/,
    );
    const many = Array.from({ length: 129 }, (_, i) => ticket(200 + i));
    expectError(
      await call('POST', '/v1/collections/tickets/items', { items: many }),
      400,
      'invalid_request',
      /^items: at most 128 items/,
    );
    expect(await collectionInfo('tickets')).toEqual(before);
    expectError(await call('GET', '/v1/collections/tickets/items/t-100'), 404, 'item_not_found', /t-100/);
  });

  it('searches it exactly like brute force, then after updates and deletes', async () => {
    await expectBruteForce('tickets', 'the printer fails', 10);
    const updated = await call('POST', '/v1/collections/tickets/items', {
      items: [{ id: 't-003', text: 'a brand new laptop battery', metadata: { team: 'printer' } }, ticket(60)],
    });
    expect(UpsertItemsResponseSchema.parse(updated.body)).toMatchObject({
      created: 1,
      updated: 1,
      items: 62,
    });
    expect(
      ItemResponseSchema.parse((await call('GET', '/v1/collections/tickets/items/t-003')).body).text,
    ).toBe('a brand new laptop battery');
    const deleted = await call('POST', '/v1/collections/tickets/items/delete', {
      ids: ['t-001', 't-002', 'nope'],
    });
    expect(DeleteItemsResponseSchema.parse(deleted.body)).toMatchObject({
      deleted: ['t-001', 't-002'],
      not_found: ['nope'],
      items: 60,
    });
    expect((await call('DELETE', '/v1/collections/tickets/items/t-005')).status).toBe(200);
    const results = await expectBruteForce('tickets', 'laptop battery', 60);
    expect(results.map((hit) => hit.id)).not.toContain('t-001');
    expect(results.map((hit) => hit.id)).not.toContain('t-005');
    const filtered = SearchResponseSchema.parse(
      (
        await call('POST', '/v1/search', {
          query: 'laptop',
          collection: 'tickets',
          k: 60,
          filter: { team: 'login' },
        })
      ).body,
    );
    expect(filtered.results.length).toBeGreaterThan(0);
    expect(filtered.results.every((hit) => hit.metadata.team === 'login')).toBe(true);
    const similar = await call('GET', '/v1/items/t-004/similar?collection=tickets&k=5');
    expect(similar.status, JSON.stringify(similar.body)).toBe(200);
    const near = SimilarItemsResponseSchema.parse(similar.body).results;
    expect(near).toHaveLength(5);
    expect(near.map((hit) => hit.id)).not.toContain('t-004');
  });

  it('searches through a graph once built, and says when a write made it exact again', async () => {
    const built = await call('POST', '/v1/collections/tickets/graph');
    expect(built.body).toMatchObject({ items: 59, search: 'graph' });
    expect(await collectionInfo('tickets')).toMatchObject({ search: 'graph' });
    const query = { query: 'network email', collection: 'tickets' };
    expect((await call('POST', '/v1/search', query)).body).toMatchObject({ search: 'graph' });
    const filtered = { ...query, filter: { team: 'login' } };
    expect((await call('POST', '/v1/search', filtered)).body).toMatchObject({ search: 'exact' });
    await expectBruteForce('tickets', 'network email', 10);
    await call('POST', '/v1/collections/tickets/items', { items: [ticket(61)] });
    expect(await collectionInfo('tickets')).toMatchObject({ search: 'exact', items: 60 });
    expect((await call('POST', '/v1/search', query)).body).toMatchObject({ search: 'exact' });
    await expectBruteForce('tickets', 'network email', 10);
    await call('POST', '/v1/collections/tickets/graph');
  });

  it('keeps every write across a SIGKILL and a restart', async () => {
    const before = await collectionInfo('tickets');
    const results = await expectBruteForce('tickets', 'invoice backup', 10);
    await server.kill();
    // Beside the published versions, never inside one.
    expect(existsSync(join(artifacts.path, 'collections.db'))).toBe(true);
    server = await serveInChild(artifacts.path, { via: 'script' });
    expect(await collectionInfo('tickets')).toEqual(before);
    expect(await expectBruteForce('tickets', 'invoice backup', 10)).toEqual(results);
  }, 120_000);

  it('marks it stale when its model is promoted, and embeds it again on request', async () => {
    await publishTinyVersion({
      artifactsDir: artifacts.path,
      work: artifacts.path,
      name: 'tiny',
      version: 'v2',
      seed: 2,
    });
    await expect.poll(async () => (await collectionInfo('tickets'))?.stale, { timeout: 60_000 }).toBe(true);
    expect(await collectionInfo('tickets')).toMatchObject({ model_version: 'v1', stale: true });
    expectError(
      await call('POST', '/v1/search', { query: 'printer', collection: 'tickets' }),
      409,
      'collection_stale',
      /tiny@v1.*tiny@v2.*reembed/,
    );
    expectError(
      await call('POST', '/v1/collections/tickets/items', { items: [ticket(62)] }),
      409,
      'collection_stale',
      /reembed/,
    );
    expectError(
      await call('POST', '/v1/collections/tickets/reembed'),
      409,
      'collection_stale',
      /given as vectors.*\(1: "v-1"\)/,
    );
    expect((await call('POST', '/v1/collections/tickets/items/delete', { ids: ['v-1'] })).status).toBe(200);

    const reply = await call('POST', '/v1/collections/tickets/reembed');
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(ReembedResponseSchema.parse(reply.body)).toMatchObject({
      model_version: 'v2',
      previous_version: 'v1',
      items: 59,
    });
    expect(await collectionInfo('tickets')).toMatchObject({ model_version: 'v2', search: 'exact' });
    expect((await collectionInfo('tickets'))?.stale).toBeUndefined();
    // Each stored vector is now the new version's embedding of the item's text.
    const stored = await storedItems('tickets');
    const texts = stored.map((item) => item.text!);
    const embedded = EmbedResponseSchema.parse((await call('POST', '/v1/embed', { inputs: texts })).body);
    stored.forEach((item, i) =>
      expect(cosineSimilarity(item.vector!, embedded.embeddings[i])).toBeCloseTo(1, 5),
    );
    await expectBruteForce('tickets', 'printer', 10);
  }, 120_000);

  it('leaves the published collections alone', async () => {
    const write = await call('POST', '/v1/collections/products/items', { items: [{ id: 'x', text: 'x' }] });
    expectError(
      write,
      405,
      'method_not_allowed',
      /published with the model by the trainer.*POST \/v1\/collections/,
    );
    expectError(
      await call('DELETE', '/v1/collections/products'),
      405,
      'method_not_allowed',
      /cannot be written/,
    );
    expectError(
      await call('GET', '/v1/collections/products/items/shoe-1'),
      404,
      'collection_not_found',
      /\/v1\/search/,
    );
    const search = await call('POST', '/v1/search', { query: 'shoes', collection: 'products' });
    expect(SearchResponseSchema.parse(search.body).results.map((hit) => hit.id)).toEqual(['shoe-1']);
    expect(await collectionInfo('products')).not.toHaveProperty('writable');
  });

  it('deletes the collection', async () => {
    const reply = await call('DELETE', '/v1/collections/tickets');
    expect(reply.body).toEqual({ collection: 'tickets', model: 'tiny', deleted: true, items: 59 });
    expect(await collectionInfo('tickets')).toBeUndefined();
    expectError(
      await call('POST', '/v1/search', { query: 'printer', collection: 'tickets' }),
      404,
      'collection_not_found',
      /tickets/,
    );
  });
});
