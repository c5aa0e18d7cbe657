import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import {
  CollectionsResponseSchema,
  EmbedResponseSchema,
  ErrorResponseSchema,
  ModelsResponseSchema,
  SearchResponseSchema,
} from '../../edge/schemas.ts';
import { readCurrent } from '../../shared/artifacts/current.ts';
import { versionDir } from '../../shared/artifacts/layout.ts';
import { bytesToBase64 } from '../../shared/image/base64.ts';
import { normalizePixels } from '../../shared/image/model-input.ts';
import { createOnnxImageEmbedder, type ImageEmbedder } from '../../shared/image/onnx-image-embedder.ts';
import { parseManifest } from '../../shared/manifest.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import { newRunId, readRunFile } from '../../trainer/pipeline/run-dir.ts';
import { STAGES } from '../../trainer/pipeline/stages.ts';
import { loadImageConfig } from '../../trainer/tasks/image/config.ts';
import { imagePixels } from '../../trainer/tasks/image/image-set.ts';
import { CNN_ENCODER_IO } from '../../trainer/tasks/image/onnx-cnn.ts';
import { ImageEvaluationSchema, testSplit } from '../../trainer/tasks/image/stages/evaluate.ts';
import { ImageExportInfoSchema } from '../../trainer/tasks/image/stages/export.ts';
import { runImagePipeline } from '../../trainer/tasks/image/stages/pipeline.ts';
import { type PublishedModel, publishTinyModel } from '../http/published-model.ts';

/**
 * The image path end to end on the tiny fixture config (configs/shapes-tiny.json, synthetic shapes shipped
 * in test/fixtures/images): train a small CNN -> evaluate against both baselines -> export (checked ONNX,
 * parity) -> index the test images with class metadata -> report -> publish; then a real HTTP server
 * serving it beside a text model answers image embeds and filtered image searches.
 */
const config = loadImageConfig('configs/shapes-tiny.json');

let root: string;
let runDir: string;
let server: RunningServer;
let embedder: ImageEmbedder;
let text: PublishedModel;
const test = testSplit(config).test;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dml-image-e2e-'));
  const { id, version } = newRunId(config.name);
  runDir = join(root, 'runs', id);
  const quiet = { update: () => undefined, log: () => undefined, done: () => undefined };
  const artifacts = join(root, 'artifacts');
  await runImagePipeline({
    config,
    runDir,
    runId: id,
    version,
    backend: await initBackend('wasm'),
    progress: quiet,
    artifactsDir: artifacts,
    stages: STAGES,
  });
  text = await publishTinyModel(artifacts, { name: 'tiny-text', version: 'v1', dim: 8, seed: 1 });
  server = await startNodeServer({ port: 0, artifactsDir: artifacts });
  ort.env.wasm.numThreads = 1;
  const { model } = config;
  embedder = await createOnnxImageEmbedder({
    ort,
    model: readFileSync(join(runDir, 'model.int8.onnx')),
    io: CNN_ENCODER_IO,
    height: model.height,
    width: model.width,
    dim: model.embeddingDim,
  });
}, 300_000);

afterAll(async () => {
  await server?.close();
  await embedder?.release();
  await text?.embedder.release();
  rmSync(root, { recursive: true, force: true });
});

const post = async (path: string, body: unknown) => {
  const response = await fetch(server.url + path, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
};

function ok<S extends z.ZodType>(reply: { status: number; body: unknown }, schema: S): z.output<S> {
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return schema.parse(reply.body);
}

function errorOf(reply: { status: number; body: unknown }, status: number): string {
  expect(reply.status).toBe(status);
  return ErrorResponseSchema.parse(reply.body).error.message;
}

/** Test image `index` as the edge would receive it in a request. */
const pngOf = (index: number) =>
  bytesToBase64(encodePng({ width: 28, height: 28, data: imagePixels(test, index), channels: 1, depth: 8 }));
const rowsOf = (index: number) =>
  Array.from({ length: 28 }, (_, y) => Array.from(imagePixels(test, index).subarray(y * 28, (y + 1) * 28)));

async function expectedEmbedding(index: number): Promise<Float32Array> {
  const [vector] = await embedder.embed([normalizePixels(imagePixels(test, index), config.normalization)]);
  return vector;
}

describe('image pipeline end to end', () => {
  it('trains a CNN that beats raw pixels and its untrained self on every headline metric', () => {
    const evaluation = readRunFile(runDir, 'evaluation', ImageEvaluationSchema);
    for (const [name, margin] of Object.entries(evaluation.marginOverBaselines)) {
      expect(margin, name).toBeGreaterThan(0);
    }
    expect(evaluation.tfjs.overall.mean_average_precision_at_r).toBeGreaterThan(0.5);
  });

  it('exports ONNX files that match TF.js on the test images', () => {
    const exported = readRunFile(runDir, 'exportInfo', ImageExportInfoSchema);
    expect(exported.parity.fp32.minCosine).toBeGreaterThan(0.99999);
    expect(exported.parity.int8.minCosine).toBeGreaterThan(0.999);
    expect(exported.onnx.int8.overall.mean_average_precision_at_r).toBeCloseTo(
      readRunFile(runDir, 'evaluation', ImageEvaluationSchema).tfjs.overall.mean_average_precision_at_r,
      1,
    );
  });

  it('publishes an image-similarity manifest with its collection, report and baselines', async () => {
    const artifacts = join(root, 'artifacts');
    const current = await readCurrent(artifacts, config.name);
    const dir = versionDir(artifacts, config.name, current!.version);
    const manifest = parseManifest(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')), dir);
    expect(manifest.task).toBe('image-similarity');
    expect(manifest.input).toEqual({
      kind: 'image',
      width: 28,
      height: 28,
      channels: 1,
      normalization: config.normalization,
      onnx: CNN_ENCODER_IO,
    });
    const [collection] = manifest.collections;
    expect(manifest.collections).toHaveLength(1);
    expect(collection).toMatchObject({
      name: 'shapes',
      items: test.count,
      description: config.index!.description,
    });
    // A labelled collection: one prototype per class of the indexed images, by class name.
    expect(collection.labels?.field).toBe('class');
    expect(collection.labels?.classes.map((c) => c.label).sort()).toEqual(
      [...new Set(Array.from(test.labels, (label) => test.classNames[label]))].sort(),
    );
    expect(collection.labels?.classes.reduce((sum, c) => sum + c.items, 0)).toBe(test.count);
    // Verification calibrated at evaluation time, judged on the test images.
    expect(manifest.verification).toMatchObject({ target_far: 0.001 });
    expect(manifest.verification!.test_eer).toBeLessThan(0.5);
    expect(Object.keys(manifest.metrics)).toEqual(
      expect.arrayContaining(['tfjs', 'fp32', 'int8', 'raw_pixels', 'untrained', 'parity']),
    );
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });
});

describe('serving the image model beside a text model', () => {
  it('lists both models, the text one as the default, and the collection with its filterable fields', async () => {
    const { models } = ok(
      await fetch(`${server.url}/v1/models`).then(async (r) => ({ status: r.status, body: await r.json() })),
      ModelsResponseSchema,
    );
    expect(models.map((m) => [m.name, m.task, m.default])).toEqual([
      ['tiny-text', 'text-similarity', true],
      ['shapes-tiny', 'image-similarity', false],
    ]);
    const { collections } = ok(
      await fetch(`${server.url}/v1/collections`).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      })),
      CollectionsResponseSchema,
    );
    expect(collections.find((c) => c.name === 'shapes')?.filterable).toEqual([
      { name: 'label', type: 'integer' },
      { name: 'class', type: 'text' },
    ]);
  });

  it('embeds base64 PNG, JPEG of another size, and raw pixel rows as the exported model does', async () => {
    const reply = await post('/v1/embed', {
      model: 'shapes-tiny',
      inputs: [{ image: pngOf(3) }, { pixels: rowsOf(5) }],
    });
    const body = ok(reply, EmbedResponseSchema);
    expect(reply.headers.get('x-model-version')).toMatch(/^shapes-tiny@/);
    for (const [i, index] of [3, 5].entries()) {
      const expected = await expectedEmbedding(index);
      expect(body.embeddings[i]).toEqual(Array.from(expected, (v) => expect.closeTo(v, 5)));
    }
    // A 56 x 56 RGB JPEG of test image 3 (each pixel doubled): decoded, greyed and resized back to 28 x 28.
    const rgba = new Uint8Array(56 * 56 * 4);
    const pixels = imagePixels(test, 3);
    for (let y = 0; y < 56; y++) {
      for (let x = 0; x < 56; x++) {
        const v = pixels[(y >> 1) * 28 + (x >> 1)];
        rgba.set([v, v, v, 255], (y * 56 + x) * 4);
      }
    }
    const jpeg = bytesToBase64(encodeJpeg({ width: 56, height: 56, data: rgba }, 95).data);
    const fromJpeg = ok(
      await post('/v1/embed', {
        model: 'shapes-tiny',
        inputs: [{ image: `data:image/jpeg;base64,${jpeg}` }],
      }),
      EmbedResponseSchema,
    );
    const cosine = fromJpeg.embeddings[0].reduce((sum, v, k) => sum + v * body.embeddings[0][k], 0);
    expect(cosine).toBeGreaterThan(0.95);
  });

  it('sends an image that names no model to the image model, not the default text model', async () => {
    const reply = await post('/v1/embed', { inputs: [{ image: pngOf(0) }] });
    expect(ok(reply, EmbedResponseSchema).model).toBe('shapes-tiny');
    const search = ok(await post('/v1/search', { query: { image: pngOf(3) }, k: 3 }), SearchResponseSchema);
    expect([search.model, search.collection]).toEqual(['shapes-tiny', 'shapes']);
  });

  it('refuses inputs of a kind the model does not take, and broken images, with 400', async () => {
    expect(errorOf(await post('/v1/embed', { model: 'shapes-tiny', inputs: ['a text'] }), 400)).toMatch(
      /takes images only/,
    );
    expect(
      errorOf(await post('/v1/embed', { model: 'tiny-text', inputs: [{ image: pngOf(0) }] }), 400),
    ).toMatch(/"tiny-text" takes texts only/);
    expect(
      errorOf(
        await post('/v1/embed', { model: 'shapes-tiny', inputs: [{ image: pngOf(0) }, 'a text'] }),
        400,
      ),
    ).toMatch(/inputs\.1: .* takes images only/);
    expect(
      errorOf(await post('/v1/embed', { model: 'shapes-tiny', inputs: [{ image: 'aGVsbG8=' }] }), 400),
    ).toMatch(/inputs\.image: the image is neither PNG nor JPEG/);
    expect(
      errorOf(await post('/v1/embed', { model: 'shapes-tiny', inputs: [{ pixels: [[1, 2], [3]] }] }), 400),
    ).toMatch(/same number of values/);
    expect(errorOf(await post('/v1/similarity', { model: 'shapes-tiny', pairs: [['a', 'b']] }), 400)).toMatch(
      /^pairs\.0\.0: model "shapes-tiny" takes images only/,
    );
  });

  it('searches the collection with an image: the image itself first, then its class', async () => {
    const index = 7;
    const body = ok(
      await post('/v1/search', { collection: 'shapes', query: { image: pngOf(index) }, k: 5 }),
      SearchResponseSchema,
    );
    expect(body.model).toBe('shapes-tiny');
    expect(body.results[0]).toMatchObject({ id: `test-${index}`, score: expect.closeTo(1, 4) });
    const label = test.labels[index];
    expect(body.results[0].metadata).toEqual({ label, class: test.classNames[label], split: 'test', index });
    const sameClass = body.results.filter((r) => r.metadata.label === label).length;
    expect(sameClass).toBeGreaterThanOrEqual(4);
  });

  it('filters by metadata: exact top k among the matching items, by one value or several', async () => {
    const query = { pixels: rowsOf(0) };
    const unfiltered = ok(
      await post('/v1/search', { collection: 'shapes', query, k: test.count }),
      SearchResponseSchema,
    );
    for (const filter of [{ class: 'ring' }, { label: [2, 4] }, { class: 'cross', label: 4 }]) {
      const body = ok(
        await post('/v1/search', { collection: 'shapes', query, k: 5, filter }),
        SearchResponseSchema,
      );
      const matches = (metadata: Record<string, unknown>) =>
        Object.entries(filter).every(([name, wanted]) =>
          Array.isArray(wanted) ? wanted.includes(metadata[name]) : metadata[name] === wanted,
        );
      const expected = unfiltered.results.filter((r) => matches(r.metadata)).slice(0, 5);
      expect(body.results.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    }
    const none = ok(
      await post('/v1/search', { collection: 'shapes', query, filter: { class: 'unicorn' } }),
      SearchResponseSchema,
    );
    expect(none.results).toEqual([]);
  });

  it('refuses filters on fields the collection does not declare, or of the wrong type', async () => {
    const query = { pixels: rowsOf(0) };
    expect(
      errorOf(await post('/v1/search', { collection: 'shapes', query, filter: { split: 'test' } }), 400),
    ).toMatch(/cannot filter on "split" \(filterable fields: label, class\)/);
    expect(
      errorOf(await post('/v1/search', { collection: 'shapes', query, filter: { label: 'two' } }), 400),
    ).toMatch(/"label" takes integer values/);
    expect(errorOf(await post('/v1/search', { collection: 'shapes', query: 'a ring' }), 400)).toMatch(
      /takes images only/,
    );
  });
});
