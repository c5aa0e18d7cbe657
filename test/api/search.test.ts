import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { type RunningServer, startNodeServer } from '../../edge/adapters/node/server.ts';
import {
  EmbedResponseSchema,
  ErrorResponseSchema,
  SearchBatchResponseSchema,
  SearchResponseSchema,
} from '../../edge/schemas.ts';
import { bm25Scores, LEXICAL_WEIGHT } from '../../shared/search/lexical-rerank.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import type { IndexItem } from '../../trainer/index/build-index.ts';
import { type PublishedModel, publishTinyModel, temporaryDir } from '../http/published-model.ts';

const COLORS = ['red', 'blue', 'green'];
const WORDS = ['running shoes', 'trail boots', 'green tea', 'desk lamp', 'sea novel', 'city car'];
const ITEMS: IndexItem[] = Array.from({ length: 24 }, (_, i) => ({
  id: `item-${i}`,
  text: `${WORDS[i % WORDS.length]} number ${i} in ${COLORS[i % 3]}`,
  metadata: { color: COLORS[i % 3] },
}));

let artifacts: Awaited<ReturnType<typeof temporaryDir>>;
let server: RunningServer;
let v1: PublishedModel;
let v2: PublishedModel;

beforeAll(async () => {
  artifacts = await temporaryDir('dml-edge-search-');
  // v2 is published but not current (v1, published after it, is): requests may pin either.
  v2 = await publishTinyModel(artifacts.path, { name: 'tiny', version: 'v2', dim: 8, seed: 2 });
  v1 = await publishTinyModel(artifacts.path, {
    name: 'tiny',
    version: 'v1',
    dim: 8,
    seed: 1,
    collection: { name: 'products', items: ITEMS, filterable: [{ name: 'color', type: 'text' }] },
  });
  server = await startNodeServer({ port: 0, artifactsDir: artifacts.path });
});

afterAll(async () => {
  await server?.close();
  await Promise.all([v1?.embedder.release(), v2?.embedder.release()]);
  await artifacts?.remove();
});

async function post(path: string, body: unknown) {
  const response = await fetch(server.url + path, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

async function ok<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.output<S>> {
  const reply = await post(path, body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return schema.parse(reply.body);
}

async function refused(path: string, body: unknown, status: number) {
  const reply = await post(path, body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return ErrorResponseSchema.parse(reply.body).error;
}

const search = (body: unknown) => ok('/v1/search', body, SearchResponseSchema);
const embed = async (inputs: string[], model = 'tiny') =>
  (await ok('/v1/embed', { inputs, model }, EmbedResponseSchema)).embeddings;

/** The reference ranking: cosine of the query with every stored item's vector, best first (ties by id). */
async function bruteForce(query: readonly number[], items = ITEMS) {
  const vectors = await embed(items.map((item) => item.text));
  return items
    .map((item, i) => ({
      id: item.id,
      score: cosineSimilarity(Float32Array.from(query), Float32Array.from(vectors[i])),
    }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

const ids = (hits: { id: string }[]) => hits.map((hit) => hit.id);

describe('POST /v1/search by vector, with paging and thresholds', () => {
  it('a raw vector (any length scale) ranks as the brute-force cosine does', async () => {
    const [query] = await embed(['running shoes in red']);
    const reference = await bruteForce(query);
    const byVector = await search({ vector: query.map((x) => x * 3), k: ITEMS.length });
    expect(ids(byVector.results)).toEqual(ids(reference));
    byVector.results.forEach((hit, i) => expect(hit.score).toBeCloseTo(reference[i].score, 5));
    const byText = await search({ query: 'running shoes in red', k: ITEMS.length });
    expect(ids(byText.results)).toEqual(ids(reference));
    expect(byVector).toMatchObject({ collection: 'products', model: 'tiny', model_version: 'v1' });
  });

  it('pages: offset windows put together are the full ranking; past the stated depth is a 400 naming offset', async () => {
    const full = await search({ query: 'green tea', k: ITEMS.length });
    const pages = [];
    for (let offset = 0; offset < ITEMS.length; offset += 5) {
      pages.push(...(await search({ query: 'green tea', k: 5, offset })).results);
    }
    expect(ids(pages)).toEqual(ids(full.results));
    const error = await refused('/v1/search', { query: 'tea', k: 10, offset: 991 }, 400);
    expect(error.message).toMatch(/^offset: offset \+ k is at most 1000/);
  });

  it('score_threshold keeps exactly the hits of the ranking that reach it', async () => {
    const full = await search({ query: 'desk lamp', k: ITEMS.length });
    const threshold = full.results[6].score;
    const cut = await search({ query: 'desk lamp', k: ITEMS.length, score_threshold: threshold });
    expect(ids(cut.results)).toEqual(ids(full.results.filter((hit) => hit.score >= threshold)));
    expect(cut.results.length).toBeGreaterThanOrEqual(7);
    expect(cut.results.every((hit) => hit.score >= threshold)).toBe(true);
  });

  it('with_vector returns the stored vectors (the ones /v1/embed gives for the items)', async () => {
    const { results } = await search({ query: 'city car', k: 3, with_vector: true });
    const expected = await embed(results.map((hit) => ITEMS.find((item) => item.id === hit.id)!.text));
    results.forEach((hit, i) => {
      expect(hit.vector).toHaveLength(8);
      hit.vector!.forEach((value, j) => expect(value).toBeCloseTo(expected[i][j], 6));
    });
    expect((await search({ query: 'city car', k: 3 })).results[0].vector).toBeUndefined();
  });

  it('names the offending field: a vector of the wrong size, both query and vector, neither', async () => {
    expect((await refused('/v1/search', { vector: [1, 2, 3] }, 400)).message).toMatch(
      /^vector: the vector has 3 values, expected 8 \(collection "products"\)/,
    );
    expect((await refused('/v1/search', { vector: Array(8).fill(0) }, 400)).message).toMatch(
      /^vector: the vector is the zero vector/,
    );
    expect((await refused('/v1/search', { query: 'a', vector: Array(8).fill(1) }, 400)).message).toMatch(
      /^query: give query or vector/,
    );
    expect((await refused('/v1/search', { k: 3 }, 400)).message).toMatch(/^query: /);
  });
});

describe('POST /v1/search with rerank: lexical', () => {
  const QUERY = 'green tea number 14';

  /** The reference: every item (fewer than the rerank depth) by cosine + weight x BM25 share of the best. */
  async function reranked(query: string) {
    const [vector] = await embed([query]);
    const byCosine = await bruteForce(vector);
    const texts = byCosine.map((hit) => ITEMS.find((item) => item.id === hit.id)!.text);
    const bm25 = bm25Scores(query, texts);
    const best = Math.max(...bm25);
    return byCosine
      .map((hit, i) => ({
        ...hit,
        lexical: bm25[i] / best,
        fused: hit.score + (LEXICAL_WEIGHT * bm25[i]) / best,
      }))
      .sort((a, b) => b.fused - a.fused);
  }

  it('reorders the nearest hits by cosine + weighted BM25 of their texts; score stays the cosine', async () => {
    const reference = await reranked(QUERY);
    const { results } = await search({ query: QUERY, k: 6, rerank: 'lexical' });
    expect(ids(results)).toEqual(ids(reference.slice(0, 6)));
    results.forEach((hit, i) => {
      expect(hit.score).toBeCloseTo(reference[i].score, 5);
      expect(hit.lexical_score).toBeCloseTo(reference[i].lexical, 10);
    });
    // The item that holds every query word, the rare "14" among them, has the best BM25.
    const full = await search({ query: QUERY, k: ITEMS.length, rerank: 'lexical' });
    expect(full.results.filter((hit) => hit.lexical_score === 1).map((hit) => hit.id)).toEqual(['item-14']);
    const plain = await search({ query: QUERY, k: 6 });
    expect(plain.results[0].lexical_score).toBeUndefined();
  });

  it('pages the reranked order, and cuts at score_threshold on the cosine', async () => {
    const full = await search({ query: QUERY, k: ITEMS.length, rerank: 'lexical' });
    const page = await search({ query: QUERY, k: 4, offset: 3, rerank: 'lexical' });
    expect(ids(page.results)).toEqual(ids(full.results.slice(3, 7)));
    const threshold = [...full.results].sort((a, b) => b.score - a.score)[5].score;
    const cut = await search({
      query: QUERY,
      k: ITEMS.length,
      rerank: 'lexical',
      score_threshold: threshold,
    });
    expect(ids(cut.results)).toEqual(ids(full.results.filter((hit) => hit.score >= threshold)));
  });

  it('reranks each query of a batch as its own search would', async () => {
    const body = await ok(
      '/v1/search/batch',
      {
        queries: [
          { query: QUERY, k: 3, rerank: 'lexical' },
          { query: QUERY, k: 3 },
        ],
      },
      SearchBatchResponseSchema,
    );
    expect(ids(body.batches[0].results)).toEqual(
      ids((await search({ query: QUERY, k: 3, rerank: 'lexical' })).results),
    );
    expect(ids(body.batches[1].results)).toEqual(ids((await search({ query: QUERY, k: 3 })).results));
  });

  it('refuses a rerank without query words: a raw vector, or an unknown rerank', async () => {
    const [vector] = await embed([QUERY]);
    expect((await refused('/v1/search', { vector, rerank: 'lexical' }, 400)).message).toMatch(
      /^rerank: rerank 'lexical' reads the query's words: give a text query/,
    );
    expect((await refused('/v1/search', { query: QUERY, rerank: 'semantic' }, 400)).message).toMatch(
      /^rerank: /,
    );
    const batch = await refused(
      '/v1/search/batch',
      { queries: [{ query: QUERY }, { vector, rerank: 'lexical' }] },
      400,
    );
    expect(batch.message).toMatch(/^queries\.1\.rerank: /);
  });
});

describe('POST /v1/search/batch', () => {
  it('answers each query as its own search would, in order', async () => {
    const [vector] = await embed(['sea novel']);
    const queries = [
      { query: 'running shoes', k: 4 },
      { vector, k: 3, offset: 2 },
      { query: 'green tea', k: 5, filter: { color: 'blue' }, score_threshold: -1 },
    ];
    const batch = await ok(
      '/v1/search/batch',
      { collection: 'products', queries },
      SearchBatchResponseSchema,
    );
    expect(batch.batches).toHaveLength(3);
    for (const [i, query] of queries.entries()) {
      expect(batch.batches[i].results).toEqual((await search({ collection: 'products', ...query })).results);
    }
    expect(batch.batches[2].results.every((hit) => hit.metadata.color === 'blue')).toBe(true);
  });

  it('names the query at fault', async () => {
    const error = await refused('/v1/search/batch', { queries: [{ query: 'a' }, { vector: [1] }] }, 400);
    expect(error.message).toMatch(/^queries\.1\.vector: /);
    const filter = await refused('/v1/search/batch', { queries: [{ query: 'a', filter: { size: 3 } }] }, 400);
    expect(filter.message).toMatch(/^queries\.0\.filter\.size: /);
  });
});

describe('model@version pinning', () => {
  it('serves a pinned published version that is not current (loaded on demand) and says so', async () => {
    const pinned = await post('/v1/embed', { inputs: ['tea'], model: 'tiny@v2' });
    expect(pinned.status).toBe(200);
    expect(pinned.headers.get('x-model-version')).toBe('tiny@v2');
    const body = EmbedResponseSchema.parse(pinned.body);
    expect(body.model_version).toBe('v2');
    const [expected] = await v2.embedder.embed(['tea']);
    body.embeddings[0].forEach((value, j) => expect(value).toBeCloseTo(expected[j], 6));
    const current = EmbedResponseSchema.parse((await post('/v1/embed', { inputs: ['tea'] })).body);
    expect(current.model_version).toBe('v1');
    expect(current.embeddings[0]).not.toEqual(body.embeddings[0]);
    const similarity = await post('/v1/similarity', { pairs: [['tea', 'green tea']], model: 'tiny@v2' });
    expect(similarity.headers.get('x-model-version')).toBe('tiny@v2');
  });

  it('a search pins the version that embedded the collection, else 409 naming it; an unpublished version is 404', async () => {
    expect((await search({ query: 'tea', model: 'tiny@v1' })).model_version).toBe('v1');
    const mismatch = await refused('/v1/search', { query: 'tea', model: 'tiny@v2' }, 409);
    expect(mismatch).toMatchObject({ code: 'version_mismatch' });
    expect(mismatch.message).toMatch(/^model: collection "products" was embedded with tiny@v1/);
    const missing = await refused('/v1/embed', { inputs: ['tea'], model: 'tiny@v9' }, 404);
    expect(missing).toMatchObject({ code: 'version_not_found' });
    expect(missing.message).toMatch(/^model: /);
    expect((await refused('/v1/embed', { inputs: ['tea'], model: 'tiny@' }, 400)).message).toMatch(
      /^model: /,
    );
  });
});
