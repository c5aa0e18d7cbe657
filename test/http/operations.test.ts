import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeServing } from '../../edge/adapters/node/describe-serving.ts';
import {
  type NodeServerOptions,
  type RunningServer,
  startNodeServer,
} from '../../edge/adapters/node/server.ts';
import { createApp } from '../../edge/app.ts';
import type { Logger } from '../../edge/logger.ts';
import type { LoadedModel, ModelRegistry, VectorIndex } from '../../edge/ports.ts';
import {
  CollectionsResponseSchema,
  EmbedResponseSchema,
  ErrorResponseSchema,
  ReadyResponseSchema,
  SearchResponseSchema,
  SimilarItemsResponseSchema,
  SimilarityResponseSchema,
} from '../../edge/schemas.ts';
import type { IndexItem } from '../../trainer/index/build-index.ts';
import { createTestKeys, createWorkspace, publishImageModel, type Workspace } from '../hardening/fixtures.ts';
import { type Reply, send } from '../hardening/http.ts';
import { publishTinyModel } from './published-model.ts';

/**
 * Serving operations on real Node servers over one published folder: two text models that each hold a
 * collection named `wordnet`, served side by side and chosen per request; an image model that image
 * inputs go to when they name no model; the access log, /readyz, /metrics and the start-up description.
 */

const IMAGE_MODEL = 'shapes-tiny';
const NOUNS: IndexItem[] = [
  { id: 'dog.n.01', text: 'dog: a domesticated animal that barks' },
  { id: 'cat.n.01', text: 'cat: a small domesticated feline' },
  { id: 'oak.n.01', text: 'oak: a tree bearing acorns' },
  { id: 'sea.n.01', text: 'sea: a large body of salt water' },
];
const VERBS: IndexItem[] = [
  { id: 'run.v.01', text: 'run: move fast on foot' },
  { id: 'swim.v.01', text: 'swim: travel through water' },
  { id: 'bark.v.01', text: 'bark: make the sound of a dog' },
];

let workspace: Workspace;
const servers: RunningServer[] = [];
const logged: { level: string; message: string; fields: Record<string, unknown> }[] = [];
const capture: Logger = {
  error: (message, fields) => logged.push({ level: 'error', message, fields }),
  info: (message, fields) => logged.push({ level: 'info', message, fields }),
};

async function serve(options: NodeServerOptions = {}): Promise<RunningServer> {
  const server = await startNodeServer({
    port: 0,
    artifactsDir: workspace.artifactsDir,
    watchIntervalMs: 0,
    reloadOnSighup: false,
    defaultModel: 'tiny',
    ...options,
  });
  servers.push(server);
  return server;
}

/** Serves `tiny` by default, logging through `capture`. */
let main: RunningServer;
/** Serves the image model by default. */
let imageFirst: RunningServer;

beforeAll(async () => {
  workspace = await createWorkspace('dml-operations-');
  for (const [name, seed, items] of [
    ['tiny', 1, NOUNS],
    ['twin', 2, VERBS],
  ] as const) {
    const published = await publishTinyModel(workspace.artifactsDir, {
      name,
      version: 'v1',
      dim: 8,
      seed,
      collection: { name: 'wordnet', items },
    });
    await published.embedder.release();
  }
  await publishImageModel(workspace);
  main = await serve({ logger: capture });
  imageFirst = await serve({ defaultModel: IMAGE_MODEL, accessLog: false });
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await workspace?.remove();
});

function json<T>(reply: Reply, parse: (body: unknown) => T, status = 200): T {
  expect(reply.status, reply.text).toBe(status);
  return parse(JSON.parse(reply.text));
}

const errorOf = (reply: Reply, status: number) =>
  json(reply, (body) => ErrorResponseSchema.parse(body).error, status);

/** 28x28 grey pixel rows: a white square on black. */
const SQUARE = Array.from({ length: 28 }, (_, y) =>
  Array.from({ length: 28 }, (_, x) => (x >= 8 && x < 20 && y >= 8 && y < 20 ? 255 : 0)),
);

describe('two text models with a collection of the same name', () => {
  it('start together, and /v1/collections lists each with its model', async () => {
    const { collections } = json(await send(`${main.url}/v1/collections`), CollectionsResponseSchema.parse);
    // The default model's first, then in the models' order.
    expect(collections.map((c) => [c.name, c.model, c.items])).toEqual([
      ['wordnet', 'tiny', NOUNS.length],
      ['shapes', IMAGE_MODEL, expect.any(Number)],
      ['wordnet', 'twin', VERBS.length],
    ]);
  });

  it('answer with the named model\'s collection: "collection" and "model" pick one', async () => {
    for (const [model, items] of [
      ['tiny', NOUNS],
      ['twin', VERBS],
    ] as const) {
      const reply = await send(`${main.url}/v1/search`, {
        body: { query: items[1].text, k: 10, collection: 'wordnet', model },
      });
      const body = json(reply, SearchResponseSchema.parse);
      expect(reply.headers.get('x-model-version')).toBe(`${model}@v1`);
      expect([body.collection, body.model]).toEqual(['wordnet', model]);
      expect(body.results.map((hit) => hit.id).sort()).toEqual(items.map((item) => item.id).sort());
      expect(body.results[0].id).toBe(items[1].id);
    }
  });

  it("give a request naming only the collection the default model's, and one naming only a model its own", async () => {
    const byName = json(
      await send(`${main.url}/v1/search`, { body: { query: 'a dog', collection: 'wordnet' } }),
      SearchResponseSchema.parse,
    );
    expect(byName.model).toBe('tiny');
    const byModel = json(
      await send(`${main.url}/v1/search`, { body: { query: 'a dog', model: 'twin' } }),
      SearchResponseSchema.parse,
    );
    expect([byModel.collection, byModel.model]).toEqual(['wordnet', 'twin']);
    expect(byModel.results.map((hit) => hit.id)).toEqual(
      expect.arrayContaining(VERBS.map((item) => item.id)),
    );
  });

  it("find an item in the named model's collection (/v1/items/{id}/similar)", async () => {
    const id = VERBS[0].id;
    const reply = await send(`${main.url}/v1/items/${id}/similar?collection=wordnet&model=twin&k=5`);
    const body = json(reply, SimilarItemsResponseSchema.parse);
    expect([body.model, body.collection, body.item]).toEqual(['twin', 'wordnet', id]);
    expect(body.results.map((hit) => hit.id).sort()).toEqual(
      VERBS.slice(1)
        .map((item) => item.id)
        .sort(),
    );
    // The default model's `wordnet` does not hold it.
    expect(errorOf(await send(`${main.url}/v1/items/${id}/similar?collection=wordnet`), 404).code).toBe(
      'item_not_found',
    );
  });

  it('answer 404 naming what exists when the model or its collection does not', async () => {
    const unknownModel = await send(`${main.url}/v1/search`, {
      body: { query: 'x', collection: 'wordnet', model: 'nope' },
    });
    expect(errorOf(unknownModel, 404)).toEqual({
      code: 'model_not_found',
      message: 'model: no model named "nope" is loaded',
    });
    const unknownCollection = await send(`${main.url}/v1/search`, {
      body: { query: 'x', collection: 'glosses', model: 'twin' },
    });
    expect(errorOf(unknownCollection, 404)).toEqual({
      code: 'collection_not_found',
      message: 'collection: model "twin" has no collection named "glosses" (its collections: wordnet)',
    });
  });

  it('answer 400 naming the models when the default model holds no collection of that name', async () => {
    const reply = await send(`${imageFirst.url}/v1/search`, {
      body: { query: 'a dog', collection: 'wordnet' },
    });
    expect(errorOf(reply, 400)).toEqual({
      code: 'ambiguous_collection',
      message:
        'collection: models "tiny", "twin" each hold a collection named "wordnet": say which with "model"',
    });
    const chosen = await send(`${imageFirst.url}/v1/search`, {
      body: { query: 'a dog', collection: 'wordnet', model: 'twin' },
    });
    expect(json(chosen, SearchResponseSchema.parse).model).toBe('twin');
  });
});

describe('a request that names no model', () => {
  it('with an image input goes to the image model, not the default text model (embed, search)', async () => {
    const embed = await send(`${main.url}/v1/embed`, { body: { inputs: [{ pixels: SQUARE }] } });
    const embedded = json(embed, EmbedResponseSchema.parse);
    expect(embed.headers.get('x-model-version')).toBe(`${IMAGE_MODEL}@v1`);
    expect([embedded.model, embedded.embeddings.length]).toEqual([IMAGE_MODEL, 1]);

    const search = await send(`${main.url}/v1/search`, { body: { query: { pixels: SQUARE }, k: 3 } });
    const found = json(search, SearchResponseSchema.parse);
    expect([found.collection, found.model]).toEqual(['shapes', IMAGE_MODEL]);
    expect(found.results).toHaveLength(3);

    // Texts still go to the default text model; a request mixing kinds names the odd input out.
    expect(
      json(await send(`${main.url}/v1/embed`, { body: { inputs: ['a dog'] } }), EmbedResponseSchema.parse)
        .model,
    ).toBe('tiny');
    const mixed = await send(`${main.url}/v1/embed`, { body: { inputs: [{ pixels: SQUARE }, 'a dog'] } });
    expect(errorOf(mixed, 400).message).toBe(`inputs.1: model "${IMAGE_MODEL}" takes images only`);
  });

  it('with texts goes to a text model when the default model takes images (embed, similarity)', async () => {
    const similarity = await send(`${imageFirst.url}/v1/similarity`, { body: { pairs: [['dog', 'puppy']] } });
    expect(json(similarity, SimilarityResponseSchema.parse).model).toBe('tiny');
    const embed = await send(`${imageFirst.url}/v1/embed`, { body: { inputs: ['dog'] } });
    expect(json(embed, EmbedResponseSchema.parse).model).toBe('tiny');
    const image = await send(`${imageFirst.url}/v1/search`, { body: { query: { pixels: SQUARE } } });
    expect(json(image, SearchResponseSchema.parse).model).toBe(IMAGE_MODEL);
  });
});

describe('the access log', () => {
  const linesOf = (requestId: string) =>
    logged.filter((line) => line.message === 'request' && line.fields.requestId === requestId);

  it('has one info line per request: method, path, status, ms, model@version, request id', async () => {
    const headers = (id: string) => ({ 'X-Request-Id': id });
    await send(`${main.url}/healthz`, { headers: headers('log-health') });
    await send(`${main.url}/v1/search?ignored=1`, {
      body: { query: 'swim', collection: 'wordnet', model: 'twin' },
      headers: headers('log-search'),
    });
    await send(`${main.url}/v1/search`, { body: { query: 'x', k: 0 }, headers: headers('log-bad') });
    await send(`${main.url}/no/such/path`, { headers: headers('log-missing') });

    expect(linesOf('log-health')).toEqual([
      {
        level: 'info',
        message: 'request',
        fields: {
          method: 'GET',
          path: '/healthz',
          status: 200,
          ms: expect.any(Number),
          model: null,
          requestId: 'log-health',
        },
      },
    ]);
    expect(linesOf('log-search').map((line) => line.fields)).toEqual([
      expect.objectContaining({ method: 'POST', path: '/v1/search', status: 200, model: 'twin@v1' }),
    ]);
    expect(linesOf('log-bad').map((line) => [line.fields.status, line.fields.model])).toEqual([[400, null]]);
    expect(linesOf('log-missing').map((line) => [line.fields.path, line.fields.status])).toEqual([
      ['/no/such/path', 404],
    ]);
    for (const id of ['log-health', 'log-search', 'log-bad', 'log-missing']) {
      expect(linesOf(id)[0].fields.ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('is off with accessLog: false (the CLI flag --no-access-log, DML_EDGE_ACCESS_LOG=0)', async () => {
    const lines: string[] = [];
    const quiet = await serve({
      accessLog: false,
      logger: { error: () => undefined, info: (message) => lines.push(message) },
    });
    expect((await send(`${quiet.url}/healthz`)).status).toBe(200);
    expect(lines).toEqual([]);
  });
});

describe('GET /readyz', () => {
  it('is 200 once the models are loaded, and open like /healthz under --require-keys', async () => {
    const ready = json(await send(`${main.url}/readyz`), ReadyResponseSchema.parse);
    expect(ready).toEqual({ status: 'ready', models: 3, collections: 3 });
    await createTestKeys(workspace.artifactsDir);
    const locked = await serve({ requireKeys: true, accessLog: false });
    expect((await send(`${locked.url}/readyz`)).status).toBe(200);
    expect((await send(`${locked.url}/v1/models`)).status).toBe(401);
  });

  it('is 503 while the server is not ready (shutting down, or no model loaded)', async () => {
    const model = {
      manifest: { name: 'm', version: 'v1', input: { kind: 'text' } },
      embedder: { dim: 2 },
    } as unknown as LoadedModel;
    const index: VectorIndex = { collections: () => [], collection: () => undefined, search: async () => [] };
    const registryOf = (models: LoadedModel[]): ModelRegistry => ({
      list: () => models,
      get: () => models[0],
    });
    const readyz = async (app: ReturnType<typeof createApp>) => {
      const response = await app.request('/readyz');
      return { status: response.status, body: await response.json() };
    };
    let closing = false;
    const app = createApp({
      registry: registryOf([model]),
      index,
      notReady: () => (closing ? 'the server is shutting down' : undefined),
    });
    expect((await readyz(app)).status).toBe(200);
    closing = true;
    expect(await readyz(app)).toEqual({
      status: 503,
      body: { error: { code: 'not_ready', message: 'not ready: the server is shutting down' } },
    });
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await readyz(createApp({ registry: registryOf([]), index }))).body.error.message).toBe(
      'not ready: no model is loaded',
    );
  });
});

/** Prometheus text exposition -> sample value by `name{label="value",...}` (labels sorted), and the TYPE of each family. */
function parsePrometheus(text: string): { samples: Map<string, number>; types: Map<string, string> } {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!sample) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels = [...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, name, value]) => `${name}="${value}"`)
      .sort();
    // Go's float parser, which Prometheus uses, also takes NaN in any case (prom-client writes "Nan").
    const value = /^\+Inf$/i.test(sample[3]) ? Number.POSITIVE_INFINITY : Number(sample[3]);
    expect(Number.isNaN(value) && !/^nan$/i.test(sample[3]), line).toBe(false);
    samples.set(`${sample[1]}{${labels.join(',')}}`, value);
  }
  return { samples, types };
}

const key = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([label, value]) => `${label}="${value}"`)
    .sort()
    .join(',')}}`;

describe('GET /metrics', () => {
  it('counts requests per method, route pattern, status and model, as the Prometheus text format', async () => {
    const counted = await serve({ accessLog: false });
    const search = (body: unknown) => send(`${counted.url}/v1/search`, { body });
    for (let i = 0; i < 3; i++)
      expect((await search({ query: `dog ${i}`, collection: 'wordnet' })).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await search({ query: `run ${i}`, collection: 'wordnet', model: 'twin' })).status).toBe(200);
    for (const id of [VERBS[0].id, VERBS[1].id])
      expect((await send(`${counted.url}/v1/items/${id}/similar?model=twin`)).status).toBe(200);
    expect(
      (await send(`${counted.url}/v1/embed`, { body: { inputs: [{ pixels: SQUARE }, { pixels: SQUARE }] } }))
        .status,
    ).toBe(200);
    expect((await search({ query: 'x', k: 0 })).status).toBe(400);
    expect((await send(`${counted.url}/wp-login.php`)).status).toBe(404);

    const reply = await send(`${counted.url}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parsePrometheus(reply.text);
    const requests = (labels: Record<string, string>) =>
      samples.get(key('dml_edge_http_requests_total', labels));
    const timed = (labels: Record<string, string>) =>
      samples.get(key('dml_edge_http_request_duration_seconds_count', labels));
    const expected: [Record<string, string>, number][] = [
      [{ method: 'POST', route: '/v1/search', status: '200', model: 'tiny' }, 3],
      [{ method: 'POST', route: '/v1/search', status: '200', model: 'twin' }, 2],
      [{ method: 'GET', route: '/v1/items/:id/similar', status: '200', model: 'twin' }, 2],
      [{ method: 'POST', route: '/v1/embed', status: '200', model: IMAGE_MODEL }, 1],
      [{ method: 'POST', route: '/v1/search', status: '400', model: '' }, 1],
      [{ method: 'GET', route: 'unmatched', status: '404', model: '' }, 1],
    ];
    for (const [labels, count] of expected) {
      expect(requests(labels), JSON.stringify(labels)).toBe(count);
      expect(timed(labels), JSON.stringify(labels)).toBe(count);
    }
    // Nothing else was counted: raw paths (item ids, scanners' guesses) never become labels.
    const counts = [...samples].filter(([name]) => name.startsWith('dml_edge_http_requests_total{'));
    expect(counts).toHaveLength(expected.length);
    expect(reply.text).not.toContain('wp-login');
    expect(types.get('dml_edge_http_requests_total')).toBe('counter');
    expect(types.get('dml_edge_http_request_duration_seconds')).toBe('histogram');

    // Batch sizes: one model run per sequential request, each embedding its inputs.
    const batch = (suffix: string, model: string) =>
      samples.get(key(`dml_edge_embed_batch_size_${suffix}`, { model }));
    expect([batch('count', 'tiny'), batch('sum', 'tiny')]).toEqual([3, 3]);
    expect([batch('count', 'twin'), batch('sum', 'twin')]).toEqual([2, 2]);
    expect([batch('count', IMAGE_MODEL), batch('sum', IMAGE_MODEL)]).toEqual([1, 2]);
    expect(samples.get(key('dml_edge_embed_batch_size_bucket', { model: IMAGE_MODEL, le: '1' }))).toBe(0);
    expect(samples.get(key('dml_edge_embed_batch_size_bucket', { model: IMAGE_MODEL, le: '2' }))).toBe(1);

    // The versions served, as a gauge with labels; Node's process metrics beside them.
    const info = (model: string, task: string, input: string, isDefault: boolean) =>
      samples.get(
        key('dml_edge_model_info', { model, version: 'v1', task, input, default: String(isDefault) }),
      );
    expect(info('tiny', 'text-similarity', 'text', true)).toBe(1);
    expect(info('twin', 'text-similarity', 'text', false)).toBe(1);
    expect(info(IMAGE_MODEL, 'image-similarity', 'image', false)).toBe(1);
    expect(samples.get('process_cpu_user_seconds_total{}')).toBeGreaterThan(0);

    // The scrape itself is counted once it is answered; another server in this process counts apart.
    const again = parsePrometheus((await send(`${counted.url}/metrics`)).text).samples;
    expect(
      again.get(
        key('dml_edge_http_requests_total', { method: 'GET', route: '/metrics', status: '200', model: '' }),
      ),
    ).toBe(1);
    const collectionsListed = key('dml_edge_http_requests_total', {
      method: 'GET',
      route: '/v1/collections',
      status: '200',
      model: '',
    });
    expect(parsePrometheus((await send(`${main.url}/metrics`)).text).samples.get(collectionsListed)).toBe(1);
    expect(again.get(collectionsListed)).toBeUndefined();
  });

  it('needs a read key with metrics: "key", and is gone with "off"', async () => {
    const keys = await createTestKeys(workspace.artifactsDir);
    const keyed = await serve({ metrics: 'key', accessLog: false });
    expect(errorOf(await send(`${keyed.url}/metrics`), 401).code).toBe('unauthorized');
    expect((await send(`${keyed.url}/metrics`, { key: keys.revoked.read })).status).toBe(401);
    const scraped = await send(`${keyed.url}/metrics`, { key: keys.read });
    expect(scraped.status).toBe(200);
    expect(scraped.text).toContain('dml_edge_model_info');
    const off = await serve({ metrics: 'off', accessLog: false });
    expect((await send(`${off.url}/metrics`)).status).toBe(404);
  });
});

describe('describeServing', () => {
  it('lists the models, their collections and how a shared collection name is resolved', () => {
    const lines = describeServing(main);
    expect(lines[0]).toBe('models (3) and collections (3):');
    expect(lines[1]).toMatch(/^ {2}tiny@v1 +text-similarity, default +wordnet \(4 items\)$/);
    expect(lines[2]).toMatch(
      new RegExp(`^ {2}${IMAGE_MODEL}@v1 +image-similarity +shapes \\(\\d+ items\\)$`),
    );
    expect(lines[3]).toMatch(/^ {2}twin@v1 +text-similarity +wordnet \(3 items\)$/);
    expect(lines).toContain(
      '"wordnet" is in 2 models: requests that name no model get tiny\'s; add "model" for another',
    );
    expect(lines.at(-1)).toBe('health: /healthz  readiness: /readyz  metrics: /metrics (open)');
  });
});
