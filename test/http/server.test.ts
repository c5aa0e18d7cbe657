import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import {
  CollectionsResponseSchema,
  EmbedResponseSchema,
  ErrorResponseSchema,
  HealthResponseSchema,
  ModelsResponseSchema,
  SearchResponseSchema,
  SimilarityResponseSchema,
} from '../../edge/schemas.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import type { IndexItem } from '../../trainer/index/build-index.ts';
import { type PublishedModel, publishTinyModel, temporaryDir } from './published-model.ts';

const ITEMS: IndexItem[] = [
  { id: 'shoe-1', text: 'red running shoes for the road', metadata: { color: 'red', sizes: [40, 41] } },
  { id: 'shoe-2', text: 'blue trail running shoes', metadata: { color: 'blue' } },
  { id: 'car-1', text: 'a small electric city car' },
  { id: 'tea-1', text: 'green tea with jasmine flowers', metadata: { nested: { caffeine: true } } },
  { id: 'book-1', text: 'a novel about the sea and an old fisherman' },
  { id: 'lamp-1', text: 'brass desk lamp with a warm light' },
];

let artifacts: Awaited<ReturnType<typeof temporaryDir>>;
let server: RunningServer;
let tiny: PublishedModel;
let other: PublishedModel;

beforeAll(async () => {
  artifacts = await temporaryDir('dml-edge-http-');
  tiny = await publishTinyModel(artifacts.path, {
    name: 'tiny',
    version: 'v1',
    dim: 8,
    seed: 1,
    collection: { name: 'products', description: 'a few products', items: ITEMS },
  });
  other = await publishTinyModel(artifacts.path, { name: 'another', version: 'v3', dim: 12, seed: 2 });
  // 'another' sorts first, so naming the default shows the option works.
  server = await startNodeServer({ port: 0, artifactsDir: artifacts.path, defaultModel: 'tiny' });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([tiny?.embedder.release(), other?.embedder.release()]);
  await artifacts?.remove();
});

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(path: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(server.url + path, init);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const post = (path: string, body: unknown) => call(path, { method: 'POST', body: JSON.stringify(body) });

function ok<S extends z.ZodType>(reply: Reply, schema: S): z.output<S> {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return schema.parse(reply.body);
}

function expectClose(actual: readonly number[], expected: ArrayLike<number>): void {
  expect(actual).toEqual(Array.from(expected, (value) => expect.closeTo(value, 6)));
}

describe('the Node server', () => {
  it('listens on loopback at the port it was given (0 = a free one)', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });

  it('GET /healthz counts what is loaded and sends a request id and server timing', async () => {
    const reply = await call('/healthz');
    expect(ok(reply, HealthResponseSchema)).toEqual({ status: 'ok', models: 2, collections: 1 });
    expect(reply.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
    expect(reply.headers.get('server-timing')).toMatch(/^total;dur=/);
  });

  it('echoes a well-formed X-Request-Id from the client', async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { 'X-Request-Id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
  });

  it('GET /v1/models lists every model, default first', async () => {
    const { models } = ok(await call('/v1/models'), ModelsResponseSchema);
    expect(models.map((m) => [m.name, m.version, m.dims, m.default, m.collections])).toEqual([
      ['tiny', 'v1', 8, true, ['products']],
      ['another', 'v3', 12, false, []],
    ]);
    const { training } = models[0].metrics;
    expect(training.last_loss).toBeLessThan(training.first_loss);
  });

  it('GET /v1/collections describes each collection and the model that embeds its queries', async () => {
    const { collections } = ok(await call('/v1/collections'), CollectionsResponseSchema);
    expect(collections).toEqual([
      {
        name: 'products',
        model: 'tiny',
        model_version: 'v1',
        dims: 8,
        distance: 'cosine',
        items: ITEMS.length,
        description: 'a few products',
      },
    ]);
  });

  it('POST /v1/embed embeds with the default model exactly as the published int8 model does', async () => {
    const inputs = ['red running shoes', '', '東京の天気 🎉', 'x'.repeat(10_000)];
    const reply = await post('/v1/embed', { inputs });
    const body = ok(reply, EmbedResponseSchema);
    expect(reply.headers.get('x-model-version')).toBe('tiny@v1');
    expect(body.model).toBe('tiny');
    expect(body.dims).toBe(8);
    const expected = await tiny.embedder.embed(inputs);
    for (const [i, embedding] of body.embeddings.entries()) expectClose(embedding, expected[i]);
    // Unit vectors, the empty text's too: with no features its embedding is the trained bias, normalised.
    expect(body.embeddings.map((e) => Math.hypot(...e))).toEqual(
      [1, 1, 1, 1].map((n) => expect.closeTo(n, 5)),
    );
  });

  it('POST /v1/embed uses the model the request names', async () => {
    const reply = await post('/v1/embed', { inputs: ['red running shoes'], model: 'another' });
    const body = ok(reply, EmbedResponseSchema);
    expect(reply.headers.get('x-model-version')).toBe('another@v3');
    expect([body.model, body.dims]).toEqual(['another', 12]);
    expectClose(body.embeddings[0], (await other.embedder.embed(['red running shoes']))[0]);
  });

  it('answers concurrent embed requests each with its own embeddings', async () => {
    const texts = Array.from({ length: 24 }, (_, i) => `request ${i} ${'word '.repeat(i)}`);
    const replies = await Promise.all(texts.map((text) => post('/v1/embed', { inputs: [text] })));
    const expected = await tiny.embedder.embed(texts);
    for (const [i, reply] of replies.entries())
      expectClose(ok(reply, EmbedResponseSchema).embeddings[0], expected[i]);
  });

  it('POST /v1/similarity scores each pair with the cosine of its embeddings', async () => {
    const pairs: [string, string][] = [
      ['red running shoes', 'blue trail running shoes'],
      ['red running shoes', 'green tea with jasmine'],
      ['same text', 'same text'],
      ['blue trail running shoes', 'red running shoes'],
    ];
    const reply = await post('/v1/similarity', { pairs });
    const body = ok(reply, SimilarityResponseSchema);
    expect(reply.headers.get('x-model-version')).toBe('tiny@v1');
    expect(body.model).toBe('tiny');
    const expected = await Promise.all(
      pairs.map(async (pair) => {
        const [a, b] = await tiny.embedder.embed(pair);
        return cosineSimilarity(a, b);
      }),
    );
    expectClose(body.scores, expected);
    expect(body.scores[2]).toBeCloseTo(1, 6);
    expect(body.scores[3]).toBe(body.scores[0]);
  });

  it('POST /v1/search returns the nearest items best first, with their text and metadata', async () => {
    const reply = await post('/v1/search', { query: ITEMS[0].text, k: 3, collection: 'products' });
    const body = ok(reply, SearchResponseSchema);
    expect(reply.headers.get('x-model-version')).toBe('tiny@v1');
    expect([body.collection, body.model]).toEqual(['products', 'tiny']);
    expect(body.results).toHaveLength(3);
    expect(body.results[0]).toMatchObject({ id: 'shoe-1', text: ITEMS[0].text, metadata: ITEMS[0].metadata });
    expect(body.results[0].score).toBeCloseTo(1, 5);
    const scores = body.results.map((r) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    // The scores are the cosine similarities of the query with each item, under the served model.
    const texts = body.results.map((r) => r.text ?? '');
    const [query, ...hits] = await tiny.embedder.embed([ITEMS[0].text, ...texts]);
    expectClose(
      scores,
      hits.map((hit) => cosineSimilarity(query, hit)),
    );
  });

  it("POST /v1/search defaults to k=10 and the default model's collection", async () => {
    const body = ok(await post('/v1/search', { query: 'tea' }), SearchResponseSchema);
    expect(body.collection).toBe('products');
    expect(body.results.map((r) => r.id).sort()).toEqual(ITEMS.map((item) => item.id).sort());
  });

  it('GET /openapi.json documents every route with the limits the server enforces', async () => {
    const document = (await call('/openapi.json')).body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(
      Object.fromEntries(Object.entries(document.paths).map(([path, ops]) => [path, Object.keys(ops)])),
    ).toEqual({
      '/healthz': ['get'],
      '/readyz': ['get'],
      '/v1/models': ['get'],
      '/v1/collections': ['get', 'post'],
      '/v1/collections/{name}': ['delete'],
      '/v1/collections/{name}/items': ['get', 'post'],
      '/v1/collections/{name}/items/{id}': ['get', 'delete'],
      '/v1/collections/{name}/items/delete': ['post'],
      '/v1/collections/{name}/graph': ['post'],
      '/v1/collections/{name}/reembed': ['post'],
      '/v1/items/{id}': ['get'],
      '/v1/embed': ['post'],
      '/v1/embeddings': ['post'],
      '/v1/similarity': ['post'],
      '/v1/duplicates': ['post'],
      '/v1/classify': ['post'],
      '/v1/verify': ['post'],
      '/v1/search': ['post'],
      '/v1/search/batch': ['post'],
      '/v1/recommend': ['post'],
      '/v1/items/{id}/similar': ['get'],
      '/v1/users/{id}/events': ['post'],
      '/v1/admin/reload': ['post'],
      '/v1/admin/models/{name}/promote': ['post'],
      '/metrics': ['get'],
      '/openapi.json': ['get'],
      '/docs': ['get'],
    });
    const { EmbedRequest, SearchRequest } = document.components.schemas;
    expect(EmbedRequest.properties.inputs).toMatchObject({ minItems: 1, maxItems: 128 });
    // An input is a text or an image; the text branch carries the length limit.
    const inputKinds = (EmbedRequest.properties.inputs.items as { anyOf: unknown[] }).anyOf;
    expect(inputKinds[0]).toMatchObject({ type: 'string', maxLength: 10_000 });
    expect(SearchRequest.properties.k).toMatchObject({ minimum: 1, maximum: 100, default: 10 });
    // Every $ref points at a component that exists.
    const refs = JSON.stringify(document).match(/"#\/components\/(schemas|headers)\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const [, kind, name] = JSON.parse(ref).split('/').slice(1);
      expect((document.components as Record<string, Record<string, unknown>>)[kind][name], ref).toBeDefined();
    }
  });
});

describe('bad requests', () => {
  const longText = 'y'.repeat(10_001);
  const cases: {
    name: string;
    path: string;
    body: unknown;
    status: number;
    code: string;
    message?: RegExp;
  }[] = [
    {
      name: 'wrong type of inputs',
      path: '/v1/embed',
      body: { inputs: 'one text' },
      status: 400,
      code: 'invalid_request',
      message: /inputs: .*expected array/,
    },
    {
      name: 'a number among inputs',
      path: '/v1/embed',
      body: { inputs: ['a', 3] },
      status: 400,
      code: 'invalid_request',
      message: /inputs\.1: /,
    },
    {
      name: 'an empty batch',
      path: '/v1/embed',
      body: { inputs: [] },
      status: 400,
      code: 'invalid_request',
      message: /at least one/,
    },
    {
      name: 'a batch over the limit',
      path: '/v1/embed',
      body: { inputs: Array(129).fill('a') },
      status: 400,
      code: 'invalid_request',
      message: /at most 128 inputs/,
    },
    {
      name: 'a text over the length limit',
      path: '/v1/embed',
      body: { inputs: ['ok', longText] },
      status: 400,
      code: 'invalid_request',
      message: /inputs\.1: texts are at most 10000 characters/,
    },
    {
      name: 'an unknown field',
      path: '/v1/embed',
      body: { inputs: ['a'], normalize: false },
      status: 400,
      code: 'invalid_request',
      message: /normalize/,
    },
    {
      name: 'a JSON body that is not an object',
      path: '/v1/embed',
      body: ['a'],
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'an unknown model',
      path: '/v1/embed',
      body: { inputs: ['a'], model: 'nope' },
      status: 404,
      code: 'model_not_found',
      message: /"nope"/,
    },
    {
      name: 'an invalid model name',
      path: '/v1/embed',
      body: { inputs: ['a'], model: '../etc' },
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'an empty list of pairs',
      path: '/v1/similarity',
      body: { pairs: [] },
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a pair of one text',
      path: '/v1/similarity',
      body: { pairs: [['a']] },
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'too many pairs',
      path: '/v1/similarity',
      body: { pairs: Array(129).fill(['a', 'b']) },
      status: 400,
      code: 'invalid_request',
      message: /at most 128 pairs/,
    },
    {
      name: 'a long text in a pair',
      path: '/v1/similarity',
      body: { pairs: [['a', longText]] },
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'similarity with an unknown model',
      path: '/v1/similarity',
      body: { pairs: [['a', 'b']], model: 'nope' },
      status: 404,
      code: 'model_not_found',
    },
    {
      name: 'k = 0',
      path: '/v1/search',
      body: { query: 'a', k: 0 },
      status: 400,
      code: 'invalid_request',
      message: /k must be between 1 and 100/,
    },
    {
      name: 'k = 101',
      path: '/v1/search',
      body: { query: 'a', k: 101 },
      status: 400,
      code: 'invalid_request',
      message: /k must be between 1 and 100/,
    },
    {
      name: 'a fractional k',
      path: '/v1/search',
      body: { query: 'a', k: 2.5 },
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'k as a string',
      path: '/v1/search',
      body: { query: 'a', k: '5' },
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'a missing query',
      path: '/v1/search',
      body: { k: 5 },
      status: 400,
      code: 'invalid_request',
      message: /query/,
    },
    {
      name: 'a query over the length limit',
      path: '/v1/search',
      body: { query: longText },
      status: 400,
      code: 'invalid_request',
    },
    {
      name: 'an unknown collection',
      path: '/v1/search',
      body: { query: 'a', collection: 'nope' },
      status: 404,
      code: 'collection_not_found',
      message: /"nope"/,
    },
  ];

  it.each(cases)('rejects $name with $status $code', async ({ path, body, status, code, message }) => {
    const reply = await post(path, body);
    expect(reply.status).toBe(status);
    const { error } = ErrorResponseSchema.parse(reply.body);
    expect(error.code).toBe(code);
    if (message) expect(error.message).toMatch(message);
    expect(reply.headers.get('x-request-id')).toBeTruthy();
  });

  it.each(['', '{', '{"inputs": ["a",]}', 'inputs=a'])(
    'rejects the malformed JSON %j with 400 invalid_json',
    async (text) => {
      const reply = await call('/v1/embed', {
        method: 'POST',
        body: text,
        headers: { 'content-type': 'application/json' },
      });
      expect(reply.status).toBe(400);
      expect(ErrorResponseSchema.parse(reply.body).error.code).toBe('invalid_json');
    },
  );

  it('rejects a body over 1 MiB with 413, whether its length is declared or streamed', async () => {
    const big = JSON.stringify({ inputs: Array(200).fill('z'.repeat(6000)) });
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const declared = await call('/v1/embed', { method: 'POST', body: big });
    const encoded = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < encoded.length; i += 64 * 1024)
          controller.enqueue(encoded.slice(i, i + 64 * 1024));
        controller.close();
      },
    });
    const streamed = await call('/v1/embed', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    for (const reply of [declared, streamed]) {
      expect(reply.status).toBe(413);
      // The unread rest of the body makes the connection unusable for another request.
      expect(reply.headers.get('connection')).toBe('close');
      expect(ErrorResponseSchema.parse(reply.body).error).toEqual({
        code: 'payload_too_large',
        message: 'request bodies are at most 1048576 bytes',
      });
    }
  });

  it('answers an unknown route with 404 JSON and a wrong method with 405 JSON and Allow', async () => {
    const missing = await call('/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(ErrorResponseSchema.parse(missing.body).error.code).toBe('not_found');

    const wrongMethod = await call('/v1/embed');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(ErrorResponseSchema.parse(wrongMethod.body).error.code).toBe('method_not_allowed');

    const deleteHealth = await call('/healthz', { method: 'DELETE' });
    expect(deleteHealth.status).toBe(405);
    expect(deleteHealth.headers.get('allow')).toBe('GET, HEAD');
  });

  it('never shows a file path or stack trace, and keeps serving afterwards', async () => {
    const replies = await Promise.all(cases.map((c) => post(c.path, c.body)));
    for (const reply of replies) {
      const text = JSON.stringify(reply.body);
      expect(text).not.toContain(artifacts.path);
      expect(text).not.toMatch(/\bat .*:\d+:\d+|\.ts\b|node_modules/);
    }
    const body = ok(await post('/v1/embed', { inputs: ['still here'] }), EmbedResponseSchema);
    expect(body.embeddings).toHaveLength(1);
    expect(ok(await call('/healthz'), HealthResponseSchema).status).toBe('ok');
  });
});
