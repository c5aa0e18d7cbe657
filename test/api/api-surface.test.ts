import { join } from 'node:path';
import { createClient, DmlEdgeError } from 'dml-edge/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  openCollectionStore,
  type SqliteCollectionStore,
} from '../../edge/adapters/node/collection-store.ts';
import { createHotSwapApp, type HotSwapApp } from '../../edge/adapters/node/hot-swap.ts';
import { openSqliteItemCatalog } from '../../edge/adapters/node/item-catalog.ts';
import { nodeModelAdmin } from '../../edge/adapters/node/model-admin.ts';
import { loadNodeModelRegistry, type NodeModelRegistry } from '../../edge/adapters/node/model-registry.ts';
import { createPromMetrics } from '../../edge/adapters/node/prom-metrics.ts';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import { openSqliteVecIndex } from '../../edge/adapters/node/sqlite-vec-index.ts';
import { openStateDb, type StateDb } from '../../edge/adapters/node/state-db.ts';
import { createApp } from '../../edge/app.ts';
import { OpenAiEmbeddingsResponseSchema } from '../../edge/openai/schemas.ts';
import {
  CollectionsResponseSchema,
  DuplicatesResponseSchema,
  EmbedResponseSchema,
  EventsResponseSchema,
  HealthResponseSchema,
  ModelsResponseSchema,
  ReadyResponseSchema,
  RecommendResponseSchema,
  SearchBatchResponseSchema,
  SearchResponseSchema,
  SimilarItemsResponseSchema,
  SimilarityResponseSchema,
} from '../../edge/schemas.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import {
  everyKindOfModel,
  IMAGE_MODEL,
  RECS_MODEL,
  TEXT_COLLECTION,
  TEXT_MODEL,
  type TestKeys,
  type Workspace,
} from '../hardening/fixtures.ts';

// Every kind of model (text, recommendation, image) behind the app with every option, and a real server.
let workspace: Workspace;
let keys: TestKeys;
let server: RunningServer;
let composed: {
  app: ReturnType<typeof createApp>;
  registry: NodeModelRegistry;
  state: StateDb;
  collections: SqliteCollectionStore;
  live: HotSwapApp;
  close(): Promise<void>;
};

/** The app as the Node server composes it, every optional part on, for walking its router. */
async function composeEverything(root: string, artifactsDir: string) {
  const registry = await loadNodeModelRegistry({ artifactsDir });
  const index = openSqliteVecIndex(registry.indexPaths);
  const catalog = openSqliteItemCatalog(registry.indexPaths);
  const state = await openStateDb(join(root, 'walk-state.db'));
  const collections = await openCollectionStore(join(root, 'walk-collections.db'));
  const live = await createHotSwapApp({ artifactsDir, watchIntervalMs: 0 });
  const app = createApp({
    registry,
    index,
    catalog,
    events: state.events,
    keys: state.keys,
    collections,
    admin: nodeModelAdmin(artifactsDir, () => live),
    metrics: createPromMetrics(),
  });
  return {
    app,
    registry,
    state,
    collections,
    live,
    async close() {
      await live.close();
      catalog.close();
      index.close();
      collections.close();
      state.close();
      await registry.close();
    },
  };
}

beforeAll(async () => {
  ({ workspace, keys } = await everyKindOfModel('dml-api-surface-'));
  server = await startNodeServer({ port: 0, artifactsDir: workspace.artifactsDir, watchIntervalMs: 0 });
  composed = await composeEverything(workspace.root, workspace.artifactsDir);
}, 300_000);

afterAll(async () => {
  await server?.close();
  await composed?.close();
  await workspace?.remove();
});

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId?: string;
        responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
      }
    >
  >;
  components: { schemas: Record<string, unknown> };
}

const document = async () => (await (await fetch(`${server.url}/openapi.json`)).json()) as OpenApiDocument;

describe('/openapi.json and /docs', () => {
  it('every route of the app (its router walked) is documented with an operationId, and nothing else is', async () => {
    const routes = composed.app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    const doc = composed.app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(routes.length).toBeGreaterThan(25);
    expect([...new Set(routes)].sort()).toEqual([...new Set(documented)].sort());
    const operationIds = Object.values(doc.paths ?? {}).flatMap((item) =>
      Object.values(item as Record<string, { operationId?: string }>).map((op) => op.operationId),
    );
    expect(operationIds.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('/docs renders every operation of the served document as HTML that loads nothing', async () => {
    const response = await fetch(`${server.url}/docs`);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await response.text();
    const served = await document();
    for (const item of Object.values(served.paths)) {
      for (const op of Object.values(item)) expect(html).toContain(`id="${op.operationId}"`);
    }
    expect(html).not.toMatch(/<script|<link|src=|@import|https?:\/\/(?!127\.0\.0\.1)/i);
  });
});

/** The answer matches the schema exactly: parsing strips nothing, so no key is undeclared at any depth. */
function matches<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.parse(body);
  expect(parsed).toEqual(body);
  return parsed;
}

/** Pixel rows of a 28x28 grey image: a filled square or a ring, for the image model. */
function shape(kind: 'square' | 'ring', size = 10): number[][] {
  return Array.from({ length: 28 }, (_, y) =>
    Array.from({ length: 28 }, (_, x) => {
      const [dx, dy] = [x - 13.5, y - 13.5];
      if (kind === 'square') return Math.abs(dx) < size && Math.abs(dy) < size ? 255 : 0;
      const r = Math.hypot(dx, dy);
      return r > size - 3 && r < size ? 255 : 0;
    }),
  );
}

describe('live answers match the schemas the document names for them', () => {
  async function call(method: string, path: string, body?: unknown, key?: string) {
    const response = await fetch(server.url + path, {
      method,
      headers: key ? { authorization: `Bearer ${key}` } : {},
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await response.json();
    expect(response.status, JSON.stringify(json)).toBeLessThan(300);
    return { status: String(response.status), json };
  }
  const cases: [string, string, z.ZodType, string, () => unknown, string?][] = [
    ['get', '/healthz', HealthResponseSchema, 'HealthResponse', () => undefined],
    ['get', '/readyz', ReadyResponseSchema, 'ReadyResponse', () => undefined],
    ['get', '/v1/models', ModelsResponseSchema, 'ModelsResponse', () => undefined],
    ['get', '/v1/collections', CollectionsResponseSchema, 'CollectionsResponse', () => undefined],
    [
      'post',
      '/v1/embed',
      EmbedResponseSchema,
      'EmbedResponse',
      () => ({ inputs: [{ pixels: shape('ring') }] }),
    ],
    [
      'post',
      '/v1/embeddings',
      OpenAiEmbeddingsResponseSchema,
      'OpenAiEmbeddingsResponse',
      () => ({ input: 'tea', model: TEXT_MODEL }),
    ],
    [
      'post',
      '/v1/similarity',
      SimilarityResponseSchema,
      'SimilarityResponse',
      () => ({ pairs: [['red shoes', 'blue shoes']] }),
    ],
    [
      'post',
      '/v1/duplicates',
      DuplicatesResponseSchema,
      'DuplicatesResponse',
      () => ({ texts: ['a', 'a', 'b'], threshold: 0.9 }),
    ],
    [
      'post',
      '/v1/search',
      SearchResponseSchema,
      'SearchResponse',
      () => ({ query: 'shoes', with_vector: true }),
    ],
    [
      'post',
      '/v1/search/batch',
      SearchBatchResponseSchema,
      'SearchBatchResponse',
      () => ({ collection: TEXT_COLLECTION, queries: [{ query: 'shoes' }, { query: 'tea', k: 1 }] }),
    ],
    ['post', '/v1/recommend', RecommendResponseSchema, 'RecommendResponse', () => ({ user_id: '1', k: 3 })],
    ['get', '/v1/items/1/similar?k=2', SimilarItemsResponseSchema, 'SimilarItemsResponse', () => undefined],
  ];
  for (const [method, path, schema, component, body] of cases) {
    it(`${method.toUpperCase()} ${path}`, async () => {
      const { status, json } = await call(method.toUpperCase(), path, body());
      matches(schema, json);
      const documented = (await document()).paths[path.split('?')[0].replace('/1/', '/{id}/')][method];
      expect(documented.responses[status].content?.['application/json'].schema.$ref).toBe(
        `#/components/schemas/${component}`,
      );
    });
  }

  it('POST /v1/users/{id}/events', async () => {
    const { results } = RecommendResponseSchema.parse(
      (await call('POST', '/v1/recommend', { user_id: '1', k: 1 })).json,
    );
    const { json } = await call(
      'POST',
      '/v1/users/1/events',
      { events: [{ item_id: results[0].id }] },
      keys.write,
    );
    matches(EventsResponseSchema, json);
  });
});

describe('/v1/similarity for every model kind', () => {
  it('scores image pairs (pixels, as /v1/embed takes them) with the cosine of their /v1/embed vectors', async () => {
    const images = [shape('square'), shape('ring'), shape('square', 6)];
    const embedded = EmbedResponseSchema.parse(
      await (
        await fetch(`${server.url}/v1/embed`, {
          method: 'POST',
          body: JSON.stringify({ inputs: images.map((pixels) => ({ pixels })), model: IMAGE_MODEL }),
        })
      ).json(),
    ).embeddings;
    const pairs = [
      [0, 1],
      [0, 2],
      [1, 1],
    ];
    const response = await fetch(`${server.url}/v1/similarity`, {
      method: 'POST',
      body: JSON.stringify({ pairs: pairs.map((pair) => pair.map((i) => ({ pixels: images[i] }))) }),
    });
    const body = SimilarityResponseSchema.parse(await response.json());
    expect(body.model).toBe(IMAGE_MODEL);
    expect(response.headers.get('x-model-version')).toBe(`${IMAGE_MODEL}@v1`);
    pairs.forEach(([a, b], i) =>
      expect(body.scores[i]).toBeCloseTo(
        cosineSimilarity(Float32Array.from(embedded[a]), Float32Array.from(embedded[b])),
        5,
      ),
    );
    expect(body.scores[2]).toBeCloseTo(1, 5);
  });

  it('names the pair at fault when kinds are mixed', async () => {
    const response = await fetch(`${server.url}/v1/similarity`, {
      method: 'POST',
      body: JSON.stringify({
        pairs: [
          [{ pixels: shape('ring') }, { pixels: shape('ring') }],
          [{ pixels: shape('ring') }, 'a text'],
        ],
      }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(
      /^pairs\.1\.1: model "shapes-tiny" takes images only/,
    );
  });
});

describe('the typed client (dml-edge/client) against a running server', () => {
  it('embeds, searches, recommends, records events, lists models and collections, writes and reads items', async () => {
    const client = createClient({ baseUrl: server.url, apiKey: keys.write });
    const models = await client.models();
    expect(models.models.map((m) => m.name).sort()).toEqual([IMAGE_MODEL, TEXT_MODEL, RECS_MODEL].sort());
    const embedded = await client.embed({ inputs: ['red shoes'], model: TEXT_MODEL });
    const openai = await client.embeddings({ input: 'red shoes', model: `${TEXT_MODEL}@v1` });
    expect(openai.data[0].embedding).toEqual(embedded.embeddings[0]);
    const found = await client.search({ vector: embedded.embeddings[0], collection: TEXT_COLLECTION, k: 2 });
    expect(found.results).toHaveLength(2);
    const batch = await client.searchBatch({
      collection: TEXT_COLLECTION,
      queries: [{ query: 'red shoes', k: 2 }],
    });
    expect(batch.batches[0].results).toEqual(found.results);
    const recommended = await client.recommend({ user_id: '2', k: 2 });
    const recorded = await client.events('2', { events: [{ item_id: recommended.results[0].id }] });
    expect(recorded.stored).toBe(1);
    const similar = await client.items.similar(recommended.results[0].id, { k: 2 });
    expect(similar.results).toHaveLength(2);

    const created = await client.collections.create({ name: 'notes', model: TEXT_MODEL });
    expect(created).toMatchObject({ name: 'notes', model: TEXT_MODEL, model_version: 'v1' });
    await client.items.upsert('notes', { items: [{ id: 'n-1', text: 'red shoes for running' }] });
    const item = await client.items.get('notes', 'n-1', { include_vector: true });
    expect(item.vector).toHaveLength(embedded.dims);
    expect((await client.collections.list()).collections.map((c) => c.name)).toContain('notes');
    expect((await client.items.list('notes')).items.map((i) => i.id)).toEqual(['n-1']);
    expect((await client.collections.delete('notes')).deleted).toBe(true);

    const error = await client.search({ query: 'x', k: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(DmlEdgeError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(error.message).toMatch(/^k: /);
  });
});
