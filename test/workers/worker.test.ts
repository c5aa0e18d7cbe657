import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createWorker } from '../../edge/adapters/workers/create-worker.ts';
import { withPrecompiledOrt } from '../../edge/adapters/workers/ort-precompiled.ts';
import { READ_ONLY_MESSAGE } from '../../edge/adapters/workers/read-only.ts';
import { startPrecompiledSqlite } from '../../edge/adapters/workers/sqlite-modules.ts';
import type { Logger } from '../../edge/logger.ts';
import {
  EmbedResponseSchema,
  ErrorResponseSchema,
  SearchResponseSchema,
  SimilarityResponseSchema,
} from '../../edge/schemas.ts';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { parseManifest } from '../../shared/manifest.ts';
import { createOnnxTextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { PARITY_REQUESTS, type ParityName, sendParityRequest } from './parity-requests.ts';
import { decodeBase64, seedBucket, seedObject } from './seed.ts';
import { withoutWorkerMemory } from './worker-memory.ts';

// The worker inside workerd, over models and an index the trainer made in the global setup (Node),
// uploaded to its R2 bucket: it must answer as the Node server did. One file on purpose: the pool
// ships the 14 MB ORT module to workerd as JSON for every test file that imports it, and the shim
// tests must run before anything else in the isolate starts ORT or SQLite (tests run in file order).

const objects = inject('r2Objects');
const nodeReplies = inject('nodeReplies');

beforeAll(async () => {
  await seedBucket(env.MODELS, objects);
});

const workerReply = (name: ParityName) =>
  sendParityRequest((url, init) => SELF.fetch(url, init), 'http://worker', PARITY_REQUESTS[name]);

const within = (expected: readonly number[], digits = 5) =>
  expected.map((value) => expect.closeTo(value, digits));

// The start-up shims lean on onnxruntime-web's and emscripten's internals: these fail if an upgrade of
// either package breaks them.

/** The smallest valid module: workerd must refuse to compile even this from bytes. */
const EMPTY_MODULE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);

describe('this runtime', () => {
  it('refuses to compile WebAssembly from bytes, so the shims below are needed and tested for real', async () => {
    await expect(WebAssembly.compile(EMPTY_MODULE)).rejects.toThrow(/disallowed/);
    expect(() => new WebAssembly.Module(EMPTY_MODULE)).toThrow(/disallowed/);
  });
});

describe('the onnxruntime-web shim', () => {
  it('hands ORT the precompiled module, and ORT then embeds as on Node', async () => {
    const manifest = parseManifest(
      JSON.parse(new TextDecoder().decode(seedObject(objects, 'tiny/v1/manifest.json'))),
      'tiny manifest',
    );
    if (manifest.input.kind !== 'text') throw new Error('tiny is a text model');
    const { input } = manifest;
    const seen: string[] = [];
    const original = WebAssembly.instantiate;
    const spy = (source: unknown, imports?: WebAssembly.Imports) => {
      seen.push(source instanceof WebAssembly.Module ? 'precompiled module' : 'bytes');
      return (original as (s: unknown, i?: WebAssembly.Imports) => Promise<unknown>)(source, imports);
    };
    WebAssembly.instantiate = spy as typeof original;
    let embedding: Float32Array[];
    try {
      const embedder = await withPrecompiledOrt((ort) =>
        createOnnxTextEmbedder({
          ort,
          model: seedObject(objects, 'tiny/v1/model.int8.onnx'),
          featurizer: createTextFeaturizer(input.featurizer),
          io: input.onnx,
          dim: manifest.embedding.dim,
        }),
      );
      expect(WebAssembly.instantiate).toBe(spy);
      embedding = await embedder.embed(['red running shoes']);
      await embedder.release();
    } finally {
      WebAssembly.instantiate = original;
    }
    // ORT instantiated its binary exactly once, from the module wrangler compiled.
    expect(seen).toEqual(['precompiled module']);
    const node = EmbedResponseSchema.parse(nodeReplies.embed.body).embeddings[0];
    expect(Array.from(embedding[0])).toEqual(node.map((value) => expect.closeTo(value, 5)));
  });
});

describe('the sqlite-vec shim', () => {
  it('starts the WebAssembly SQLite with sqlite-vec, and puts every global back', async () => {
    const before = {
      module: WebAssembly.Module,
      process: Object.getOwnPropertyDescriptor(globalThis, 'process'),
      workerScope: 'WorkerGlobalScope' in globalThis,
    };
    const sqlite3 = await startPrecompiledSqlite();
    expect(await startPrecompiledSqlite()).toBe(sqlite3);
    expect({
      module: WebAssembly.Module,
      process: Object.getOwnPropertyDescriptor(globalThis, 'process'),
      workerScope: 'WorkerGlobalScope' in globalThis,
    }).toEqual(before);

    const db = new sqlite3.oo1.DB(':memory:');
    try {
      expect([sqlite3.version.libVersion, db.selectValue('SELECT vec_version()')]).toEqual([
        '3.45.3',
        'v0.1.9',
      ]);
      db.selectValue('CREATE VIRTUAL TABLE v USING vec0(e float[2] distance_metric=cosine)');
      db.selectValue("INSERT INTO v (rowid, e) VALUES (1, '[1, 0]'), (2, '[0, 1]'), (3, '[1, 1]')");
      const nearest = db.selectObjects(
        "SELECT rowid FROM v WHERE e MATCH '[1, 0.1]' AND k = 2 ORDER BY distance",
      );
      expect(nearest).toEqual([{ rowid: 1 }, { rowid: 3 }]);
    } finally {
      db.close();
    }
  });
});

describe('the worker answers like the Node server', () => {
  it.each([
    'health',
    'ready',
    'models',
    'collections',
    'invalidEmbed',
    'unknownModel',
    'unknownCollection',
  ] as const)('%s: the same status and body', async (name) => {
    const reply = await workerReply(name);
    expect(name === 'health' ? withoutWorkerMemory(reply) : reply).toEqual(nodeReplies[name]);
  });

  it('GET /healthz counts both models and their collections', async () => {
    expect(withoutWorkerMemory(await workerReply('health')).body).toEqual({
      status: 'ok',
      models: 2,
      collections: 2,
    });
  });

  it.each(['embed', 'embedNamedModel'] as const)('%s: the same embeddings to 1e-5', async (name) => {
    const worker = await workerReply(name);
    const node = nodeReplies[name];
    expect([worker.status, worker.modelVersion]).toEqual([200, node.modelVersion]);
    const actual = EmbedResponseSchema.parse(worker.body);
    const expected = EmbedResponseSchema.parse(node.body);
    expect([actual.model, actual.dims]).toEqual([expected.model, expected.dims]);
    expect(actual.embeddings).toHaveLength(expected.embeddings.length);
    actual.embeddings.forEach((embedding, i) => expect(embedding).toEqual(within(expected.embeddings[i])));
  });

  it('similarity: the same scores to 1e-5', async () => {
    const worker = await workerReply('similarity');
    const actual = SimilarityResponseSchema.parse(worker.body);
    const expected = SimilarityResponseSchema.parse(nodeReplies.similarity.body);
    expect(worker.status).toBe(200);
    expect(actual.model).toBe(expected.model);
    expect(actual.scores).toEqual(within(expected.scores));
  });

  it.each(['search', 'searchLexical', 'searchDefaults', 'searchAll'] as const)(
    '%s: the same ids in the same order, scores to 1e-5',
    async (name) => {
      const worker = await workerReply(name);
      const actual = SearchResponseSchema.parse(worker.body);
      const expected = SearchResponseSchema.parse(nodeReplies[name].body);
      expect([worker.status, worker.modelVersion]).toEqual([200, nodeReplies[name].modelVersion]);
      expect([actual.collection, actual.model]).toEqual([expected.collection, expected.model]);
      expect(actual.results.map((hit) => hit.id)).toEqual(expected.results.map((hit) => hit.id));
      expect(actual.results.map((hit) => hit.score)).toEqual(
        within(expected.results.map((hit) => hit.score)),
      );
      expect(actual.results.map((hit) => [hit.text, hit.metadata])).toEqual(
        expected.results.map((hit) => [hit.text, hit.metadata]),
      );
      expect(actual.results.map((hit) => hit.lexical_score)).toEqual(
        expected.results.map((hit) => hit.lexical_score),
      );
    },
  );

  it("searchLexical: reranked by the hits' words (a lexical_score on each hit)", async () => {
    const { results } = SearchResponseSchema.parse((await workerReply('searchLexical')).body);
    expect(results.map((hit) => hit.lexical_score)).toContain(1);
  });

  it('searchAll: returns every item of the collection', async () => {
    const body = SearchResponseSchema.parse((await workerReply('searchAll')).body);
    expect(body.results).toHaveLength(6);
  });
});

describe('writes', () => {
  // Events, keys and the admin refusals are in recommend.test.ts, written collections' in collections.test.ts.
  it.each([
    ['POST', '/v1/models'],
    ['PUT', '/v1/models/tiny'],
  ])('%s %s answers 405: the index is a read-only snapshot', async (method, path) => {
    const response = await SELF.fetch(`http://worker${path}`, {
      method,
      body: method === 'DELETE' ? null : '{}',
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    const { error } = ErrorResponseSchema.parse(await response.json());
    expect(error).toEqual({ code: 'method_not_allowed', message: READ_ONLY_MESSAGE });
    expect(error.message).toMatch(/read-only snapshot published by the trainer/);
  });

  it('reads in those areas still reach the app', async () => {
    expect((await SELF.fetch('http://worker/v1/collections')).status).toBe(200);
    expect((await SELF.fetch('http://worker/v1/models')).status).toBe(200);
  });
});

describe('loading from R2', () => {
  function recordingLogger() {
    const errors: string[] = [];
    const logger: Logger = {
      error: (_message, fields) => errors.push(String(fields.error)),
      info: () => undefined,
    };
    return { logger, errors };
  }

  async function healthOf(worker: ReturnType<typeof createWorker>, bindings: unknown) {
    const response = await worker.fetch(new Request('http://worker/healthz'), bindings);
    return { status: response.status, body: await response.json() };
  }

  async function reseedScratch(change?: { key: string; bytes: (original: Uint8Array) => Uint8Array }) {
    const keys = (await env.SCRATCH.list({})).objects.map((o) => o.key);
    if (keys.length > 0) await env.SCRATCH.delete(keys);
    for (const { key, base64 } of objects) {
      const bytes = decodeBase64(base64);
      await env.SCRATCH.put(key, change?.key === key ? change.bytes(bytes) : bytes);
    }
  }

  const flipMiddleByte = (bytes: Uint8Array) => {
    const copy = bytes.slice();
    copy[copy.length >> 1] ^= 0xff;
    return copy;
  };

  it('answers 503 and logs why while nothing is published, then serves once something is', async () => {
    const { logger, errors } = recordingLogger();
    const worker = createWorker(logger);
    await reseedScratch();
    await env.SCRATCH.delete(objects.map((o) => o.key));
    const bindings = { MODELS: env.SCRATCH };

    const failed = await healthOf(worker, bindings);
    expect(failed.status).toBe(503);
    expect(ErrorResponseSchema.parse(failed.body).error.code).toBe('internal');
    expect(errors).toEqual(['no published model with a current version in R2 binding MODELS']);

    await reseedScratch();
    expect(withoutWorkerMemory(await healthOf(worker, bindings))).toEqual({
      status: 200,
      body: { status: 'ok', models: 2, collections: 2 },
    });
  });

  it.each(['tiny/v1/model.int8.onnx', 'tiny/v1/index.db'])(
    'refuses to serve when %s does not match its sha256',
    async (key) => {
      const { logger, errors } = recordingLogger();
      await reseedScratch({ key, bytes: flipMiddleByte });
      expect((await healthOf(createWorker(logger), { MODELS: env.SCRATCH })).status).toBe(503);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        new RegExp(`^${key.replaceAll('.', '\\.')} has sha256 [0-9a-f]{64}, the manifest says`),
      );
    },
  );

  it('refuses a truncated file, naming it', async () => {
    const { logger, errors } = recordingLogger();
    await reseedScratch({ key: 'another/v3/model.int8.onnx', bytes: (bytes) => bytes.subarray(0, 100) });
    expect((await healthOf(createWorker(logger), { MODELS: env.SCRATCH })).status).toBe(503);
    expect(errors[0]).toMatch(/^another\/v3\/model\.int8\.onnx has 100 bytes, the manifest says \d+$/);
  });

  it('checks its configuration', async () => {
    const { logger, errors } = recordingLogger();
    const worker = createWorker(logger);
    for (const bindings of [
      {},
      { MODELS: 'not a bucket' },
      { ASSETS: env.ARTIFACT_ASSETS },
      { MODELS: env.MODELS, DEFAULT_MODEL: 'nope' },
    ]) {
      expect((await healthOf(worker, bindings)).status).toBe(503);
    }
    expect(errors).toEqual([
      'invalid worker configuration: bind an R2 bucket as MODELS, or static assets as ASSETS',
      expect.stringMatching(/^invalid worker configuration: MODELS: MODELS must be an R2 bucket binding/),
      'invalid worker configuration: ASSET_MODELS: with static assets, ASSET_MODELS must name the models to serve',
      'the default model "nope" is not among the loaded models (another, tiny)',
    ]);
  });
});

describe('loading from static assets instead', () => {
  it('serves the published folder as the R2 bucket is served', async () => {
    const worker = createWorker();
    const bindings = { ASSETS: env.ARTIFACT_ASSETS, ASSET_MODELS: 'tiny, another', DEFAULT_MODEL: 'tiny' };
    const reply = (name: ParityName) =>
      sendParityRequest(
        (url, init) => Promise.resolve(worker.fetch(new Request(url, init), bindings)),
        'http://worker',
        PARITY_REQUESTS[name],
      );
    expect(withoutWorkerMemory(await reply('health'))).toEqual(nodeReplies.health);
    expect(await reply('models')).toEqual(nodeReplies.models);
    const search = SearchResponseSchema.parse((await reply('search')).body);
    const expected = SearchResponseSchema.parse(nodeReplies.search.body);
    expect(search.results.map((hit) => hit.id)).toEqual(expected.results.map((hit) => hit.id));
  });
});

describe('the access log', () => {
  it('is off unless ACCESS_LOG is set; then one line per request through the logger', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger: Logger = {
      error: () => undefined,
      info: (message, fields) => {
        if (message === 'request') lines.push(fields);
      },
    };
    const embed = (worker: ReturnType<typeof createWorker>, bindings: Record<string, unknown>) =>
      worker.fetch(
        new Request('http://worker/v1/embed', {
          method: 'POST',
          body: JSON.stringify({ inputs: ['green tea'] }),
          headers: { 'content-type': 'application/json', 'X-Request-Id': 'worker-log-1' },
        }),
        bindings,
      );
    const bindings = { MODELS: env.MODELS, DEFAULT_MODEL: 'tiny' };
    expect((await embed(createWorker(logger), bindings)).status).toBe(200);
    expect(lines).toEqual([]);
    expect((await embed(createWorker(logger), { ...bindings, ACCESS_LOG: '1' })).status).toBe(200);
    expect(lines).toEqual([
      {
        method: 'POST',
        path: '/v1/embed',
        status: 200,
        ms: expect.any(Number),
        model: 'tiny@v1',
        requestId: 'worker-log-1',
      },
    ]);
  });
});
