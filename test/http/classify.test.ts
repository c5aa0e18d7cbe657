import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import { ClassifyResponseSchema, VerifyResponseSchema } from '../../edge/classification-schemas.ts';
import { ErrorResponseSchema } from '../../edge/schemas.ts';
import type { TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { FIXTURE_VERIFICATION, publishLabelledVersion, TICKETS } from '../fixtures/labelled-version.ts';
import { publishTinyVersion } from '../fixtures/tiny-version.ts';
import { temporaryDir } from './published-model.ts';

let artifacts: Awaited<ReturnType<typeof temporaryDir>>;
let server: RunningServer;
let embedder: TextEmbedder;

beforeAll(async () => {
  artifacts = await temporaryDir('dml-edge-classify-');
  embedder = await publishLabelledVersion({
    artifactsDir: artifacts.path,
    work: artifacts.path,
    name: 'helpdesk',
    version: 'v1',
  });
  // A model without a verification threshold.
  await publishTinyVersion({
    artifactsDir: artifacts.path,
    work: artifacts.path,
    name: 'plain',
    version: 'v1',
  });
  server = await startNodeServer({ port: 0, artifactsDir: artifacts.path, defaultModel: 'helpdesk' });
});

afterAll(async () => {
  await server?.close();
  await embedder?.release();
  await artifacts?.remove();
});

async function post(path: string, body: unknown) {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const dotOf = (a: Float32Array, b: ArrayLike<number>) => a.reduce((sum, v, d) => sum + v * b[d], 0);

/** Nearest prototype from the definition: per label the normalised mean of the (unit) example vectors. */
async function referencePrototype(inputs: string[], examples: { input: string; label: string }[]) {
  const vectors = await embedder.embed(examples.map((e) => e.input));
  const labels = [...new Set(examples.map((e) => e.label))];
  const prototypes = labels.map((label) => {
    const sum = new Float64Array(32);
    examples.forEach((e, i) => {
      if (e.label === label) vectors[i].forEach((v, d) => (sum[d] += v));
    });
    const length = Math.hypot(...sum);
    return { label, prototype: Array.from(sum, (v) => v / length) };
  });
  return (await embedder.embed(inputs)).map((query) =>
    prototypes
      .map((p) => ({ label: p.label, score: dotOf(query, p.prototype) }))
      .sort((a, b) => b.score - a.score),
  );
}

/** The kNN vote from the definition: the k most similar examples, most votes, then the larger summed cosine. */
async function referenceKnn(inputs: string[], examples: { input: string; label: string }[], k: number) {
  const vectors = await embedder.embed(examples.map((e) => e.input));
  return (await embedder.embed(inputs)).map((query) => {
    const nearest = examples
      .map((e, i) => ({ label: e.label, score: dotOf(query, vectors[i]) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
    const labels = [...new Set(nearest.map((n) => n.label))].map((label) => {
      const mine = nearest.filter((n) => n.label === label);
      return { label, votes: mine.length, sum: mine.reduce((s, n) => s + n.score, 0) };
    });
    return labels
      .sort((a, b) => b.votes - a.votes || b.sum - a.sum)
      .map((l) => ({ label: l.label, score: l.sum / l.votes }));
  });
}

const EXAMPLES = TICKETS.map((item) => ({ input: item.text, label: String(item.metadata?.label) }));
const INPUTS = [
  'charged twice on my card',
  'it crashes on start',
  'my parcel has not arrived',
  'a poem about the moon',
];

describe('POST /v1/classify', () => {
  it('classifies by the nearest class prototype of inline examples, as the definition says', async () => {
    const { status, body } = await post('/v1/classify', { inputs: INPUTS, examples: EXAMPLES });
    expect(status).toBe(200);
    const answer = ClassifyResponseSchema.parse(body);
    expect(answer).toMatchObject({ model: 'helpdesk', model_version: 'v1', method: 'prototype' });
    const reference = await referencePrototype(INPUTS, EXAMPLES);
    answer.results.forEach((result, i) => {
      expect(result.label).toBe(reference[i][0].label);
      expect(result.score).toBeCloseTo(reference[i][0].score, 5);
      expect(result.runner_up?.label).toBe(reference[i][1].label);
      expect(result.runner_up?.score).toBeCloseTo(reference[i][1].score, 5);
      expect(result.unknown).toBe(answer.threshold !== null && result.score < answer.threshold);
    });
    expect(answer.results.slice(0, 3).map((r) => r.label)).toEqual(['billing', 'bug', 'delivery']);
  });

  it('votes with the k nearest examples (knn), and applies a given open-set threshold', async () => {
    const { body } = await post('/v1/classify', {
      inputs: INPUTS,
      examples: EXAMPLES,
      method: 'knn',
      k: 3,
      threshold: 0.6,
    });
    const answer = ClassifyResponseSchema.parse(body);
    const reference = await referenceKnn(INPUTS, EXAMPLES, 3);
    expect(answer.threshold).toBe(0.6);
    answer.results.forEach((result, i) => {
      expect(result.label).toBe(reference[i][0].label);
      expect(result.score).toBeCloseTo(reference[i][0].score, 5);
      expect(result.runner_up?.label ?? null).toBe(reference[i][1]?.label ?? null);
      expect(result.unknown).toBe(result.score < 0.6);
    });
  });

  it('calibrates the open-set threshold by leave-one-out when none is given', async () => {
    // Each example against the other eight: its best prototype score; with 9 scores the threshold is the lowest.
    const vectors = await embedder.embed(EXAMPLES.map((e) => e.input));
    const scores = EXAMPLES.map((_, i) => {
      const rest = EXAMPLES.map((e, j) => ({ ...e, vector: vectors[j] })).filter((_, j) => j !== i);
      const best = [...new Set(rest.map((e) => e.label))].map((label) => {
        const sum = new Float64Array(32);
        for (const e of rest) if (e.label === label) e.vector.forEach((v, d) => (sum[d] += v));
        const length = Math.hypot(...sum);
        return dotOf(
          vectors[i],
          Array.from(sum, (v) => v / length),
        );
      });
      return Math.max(...best);
    });
    const { body } = await post('/v1/classify', { inputs: INPUTS, examples: EXAMPLES });
    expect(ClassifyResponseSchema.parse(body).threshold).toBeCloseTo(Math.min(...scores), 5);
  });

  it('classifies against the labelled collection: its prototypes, or the vote of its nearest items', async () => {
    const prototype = ClassifyResponseSchema.parse(
      (await post('/v1/classify', { inputs: INPUTS, collection: 'tickets' })).body,
    );
    const reference = await referencePrototype(INPUTS, EXAMPLES);
    prototype.results.forEach((result, i) => {
      expect(result.label).toBe(reference[i][0].label);
      expect(result.score).toBeCloseTo(reference[i][0].score, 5);
    });
    const knn = ClassifyResponseSchema.parse(
      (await post('/v1/classify', { inputs: INPUTS, collection: 'tickets', method: 'knn', k: 3 })).body,
    );
    const votes = await referenceKnn(INPUTS, EXAMPLES, 3);
    knn.results.forEach((result, i) => {
      expect(result.label).toBe(votes[i][0].label);
      expect(result.score).toBeCloseTo(votes[i][0].score, 5);
    });
    expect(knn.threshold).toBeNull();
    // Only the classes asked for compete.
    const restricted = ClassifyResponseSchema.parse(
      (
        await post('/v1/classify', {
          inputs: ['charged twice'],
          collection: 'tickets',
          labels: ['bug', 'delivery'],
        })
      ).body,
    );
    expect(['bug', 'delivery']).toContain(restricted.results[0].label);
  });

  it.each([
    [
      'one label only',
      { inputs: ['x'], examples: EXAMPLES.slice(0, 3) },
      /^examples: at least two labels .* "billing"$/,
    ],
    [
      'a class with no example',
      { inputs: ['x'], examples: EXAMPLES, labels: ['billing', 'sales'] },
      /^labels\.1: class "sales" has no example$/,
    ],
    [
      'neither examples nor a collection',
      { inputs: ['x'] },
      /^examples: give labelled `examples` or a labelled/,
    ],
    [
      'both examples and a collection',
      { inputs: ['x'], examples: EXAMPLES, collection: 'tickets' },
      /^examples: give/,
    ],
    [
      'an image for a text model',
      { inputs: ['x'], examples: [{ input: { pixels: [[1]] }, label: 'a' }, ...EXAMPLES] },
      /^examples\.0\.input: model "helpdesk" takes texts only$/,
    ],
    [
      'too many examples',
      { inputs: ['x'], examples: Array.from({ length: 513 }, (_, i) => ({ input: 'x', label: String(i) })) },
      /examples: at most 512/,
    ],
    ['k out of range', { inputs: ['x'], examples: EXAMPLES, method: 'knn', k: 0 }, /^k: /],
    [
      'a class the collection lacks',
      { inputs: ['x'], collection: 'tickets', labels: ['bug', 'sales'] },
      /^labels\.1: collection "tickets" has no class "sales"$/,
    ],
    ['a threshold out of range', { inputs: ['x'], examples: EXAMPLES, threshold: 2 }, /^threshold: /],
  ] as const)('answers 400 naming the field: %s', async (_case, request, message) => {
    const { status, body } = await post('/v1/classify', request);
    expect(status).toBe(400);
    expect(ErrorResponseSchema.parse(body).error.message).toMatch(message);
  });

  it('answers 409 for a collection asked for with another version of its model', async () => {
    const { status, body } = await post('/v1/classify', {
      inputs: ['x'],
      collection: 'tickets',
      model: 'helpdesk@v0',
    });
    expect(status).toBe(409);
    expect(ErrorResponseSchema.parse(body).error.code).toBe('version_mismatch');
  });

  it('answers 404 for an unknown collection', async () => {
    const { status, body } = await post('/v1/classify', { inputs: ['x'], collection: 'nope' });
    expect(status).toBe(404);
    expect(ErrorResponseSchema.parse(body).error.code).toBe('collection_not_found');
  });
});

describe('POST /v1/verify', () => {
  const PAIRS = [
    ['I was charged twice for my order', 'charged twice for my order'],
    ['the app crashes when I open it', 'where is my parcel'],
  ];

  it("decides with the manifest's calibrated threshold, or the request's", async () => {
    const { status, body } = await post('/v1/verify', { pairs: PAIRS });
    expect(status).toBe(200);
    const answer = VerifyResponseSchema.parse(body);
    expect(answer).toMatchObject({
      model: 'helpdesk',
      threshold: FIXTURE_VERIFICATION.threshold,
      target_far: 0.001,
    });
    const vectors = await embedder.embed(PAIRS.flat());
    answer.results.forEach((result, i) => {
      const score = dotOf(vectors[2 * i], vectors[2 * i + 1]);
      expect(result.score).toBeCloseTo(score, 5);
      expect(result.same).toBe(result.score >= FIXTURE_VERIFICATION.threshold);
    });
    expect(answer.results.map((r) => r.same)).toEqual([true, false]);
    const strict = VerifyResponseSchema.parse(
      (await post('/v1/verify', { pairs: PAIRS, threshold: 0.9999 })).body,
    );
    expect(strict).toMatchObject({ threshold: 0.9999, target_far: null });
    // A model pinned to its version, as in /v1/embed.
    const pinned = await post('/v1/verify', { pairs: PAIRS, model: 'helpdesk@v1' });
    expect([pinned.status, VerifyResponseSchema.parse(pinned.body).model_version]).toEqual([200, 'v1']);
    expect(strict.results.map((r) => r.same)).toEqual([false, false]);
  });

  it.each([
    [
      'no calibrated threshold',
      { pairs: PAIRS, model: 'plain' },
      /^threshold: model "plain" has no calibrated verification threshold/,
    ],
    ['no pairs', { pairs: [] }, /^pairs: /],
    [
      'an image for a text model',
      { pairs: [['a', { pixels: [[0]] }]] },
      /^pairs\.0\.1: model "helpdesk" takes texts only$/,
    ],
    ['a threshold out of range', { pairs: PAIRS, threshold: -3 }, /^threshold: /],
  ])('answers 400 naming the field: %s', async (_case, request, message) => {
    const { status, body } = await post('/v1/verify', request);
    expect(status).toBe(400);
    expect(ErrorResponseSchema.parse(body).error.message).toMatch(message);
  });
});
