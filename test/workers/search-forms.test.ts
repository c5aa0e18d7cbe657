import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { OpenAiEmbeddingsResponseSchema } from '../../edge/openai/schemas.ts';
import {
  EmbedResponseSchema,
  ErrorResponseSchema,
  SearchBatchResponseSchema,
  SearchResponseSchema,
} from '../../edge/schemas.ts';
import { ITEMS } from './parity-requests.ts';
import { seedBucket } from './seed.ts';

// The search forms of issue 19 (raw vectors, batches, paging, thresholds, stored vectors) and pinned
// versions, in workerd: the worker over the tiny model and its products collection (SQLite in wasm).

beforeAll(async () => {
  await seedBucket(env.MODELS, inject('r2Objects'));
});

async function post(path: string, body: unknown) {
  const response = await SELF.fetch(`http://worker${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

async function ok<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
  const reply = await post(path, body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return schema.parse(reply.body);
}

const search = (body: object) => ok('/v1/search', { collection: 'products', ...body }, SearchResponseSchema);
const embed = async (inputs: string[]) => (await ok('/v1/embed', { inputs }, EmbedResponseSchema)).embeddings;
const ids = (hits: { id: string }[]) => hits.map((hit) => hit.id);

describe('search forms in workerd', () => {
  it('a raw vector, scaled or not, finds what its text finds', async () => {
    const [vector] = await embed(['shoes for running']);
    const byText = await search({ query: 'shoes for running', k: 6 });
    for (const scale of [1, 5]) {
      const byVector = await search({ vector: vector.map((x) => x * scale), k: 6 });
      expect(ids(byVector.results)).toEqual(ids(byText.results));
      byVector.results.forEach((hit, i) => expect(hit.score).toBeCloseTo(byText.results[i].score, 5));
    }
  });

  it('offset pages put together are the full ranking; score_threshold keeps the hits that reach it', async () => {
    const full = await search({ query: 'a warm light', k: 6 });
    const pages = [];
    for (let offset = 0; offset < 6; offset += 2)
      pages.push(...(await search({ query: 'a warm light', k: 2, offset })).results);
    expect(ids(pages)).toEqual(ids(full.results));
    const threshold = full.results[2].score;
    const cut = await search({ query: 'a warm light', k: 6, score_threshold: threshold });
    expect(ids(cut.results)).toEqual(ids(full.results.filter((hit) => hit.score >= threshold)));
  });

  it('a batch answers each query as its own search', async () => {
    const [vector] = await embed(['green tea']);
    const queries = [
      { query: 'city car', k: 3 },
      { vector, k: 2, offset: 1 },
    ];
    const batch = await ok(
      '/v1/search/batch',
      { collection: 'products', queries },
      SearchBatchResponseSchema,
    );
    for (const [i, query] of queries.entries()) {
      expect(batch.batches[i].results).toEqual((await search(query)).results);
    }
  });

  it('with_vector returns the stored vectors, as the worker embeds the items', async () => {
    const { results } = await search({ query: 'tea', k: 3, with_vector: true });
    const expected = await embed(results.map((hit) => ITEMS.find((item) => item.id === hit.id)!.text));
    results.forEach((hit, i) =>
      hit.vector!.forEach((value, j) => expect(value).toBeCloseTo(expected[i][j], 5)),
    );
  });
});

describe('pinned versions and /v1/embeddings in workerd', () => {
  it('serves the pinned version it serves, and a 409 naming it for any other', async () => {
    const pinned = await post('/v1/embed', { inputs: ['tea'], model: 'tiny@v1' });
    expect([pinned.status, pinned.headers.get('x-model-version')]).toEqual([200, 'tiny@v1']);
    const other = await post('/v1/embed', { inputs: ['tea'], model: 'tiny@v2' });
    expect(other.status).toBe(409);
    expect(ErrorResponseSchema.parse(other.body).error).toMatchObject({ code: 'version_not_served' });
    expect(ErrorResponseSchema.parse(other.body).error.message).toMatch(
      /^model: this deployment serves tiny@v1 only/,
    );
  });

  it('/v1/embeddings (float and base64) gives the /v1/embed vectors', async () => {
    const [expected] = await embed(['red running shoes']);
    const float = await ok(
      '/v1/embeddings',
      { input: 'red running shoes', model: 'tiny' },
      OpenAiEmbeddingsResponseSchema,
    );
    expect(float.data[0].embedding).toEqual(expected);
    const base64 = await ok(
      '/v1/embeddings',
      { input: ['red running shoes'], model: 'tiny', encoding_format: 'base64' },
      OpenAiEmbeddingsResponseSchema,
    );
    const bytes = Uint8Array.from(atob(base64.data[0].embedding as string), (c) => c.charCodeAt(0));
    expect(Array.from(new Float32Array(bytes.buffer))).toEqual(expected);
  });
});
