import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import { createWorker } from '../../edge/adapters/workers/create-worker.ts';
import type { Logger } from '../../edge/logger.ts';
import { ErrorResponseSchema, HealthResponseSchema, SearchResponseSchema } from '../../edge/schemas.ts';
import { decodeBase64, seedBucket, seedObject } from './seed.ts';
import { CATALOGUE_ITEMS, SHARD_COUNT, SHARD_SEARCHES } from './shard-searches.ts';

// The Workers index at scale, in workerd: the same collection as one shard in the isolate (`flat`) and as
// five shards, each in its own Durable Object (`sharded`), must answer as the Node server does; a shard
// that fails or is slow makes the search fail naming it; /healthz reports the isolate's memory.
// The slow-shard test runs first, while every shard's Durable Object is still cold.

const { objects, nodeReplies } = inject('shardFixtures');

beforeAll(async () => {
  await seedBucket(env.MODELS, objects);
});

const quiet: Logger = { error: () => undefined, info: () => undefined };

/** A fresh worker (its own loaded models) under these bindings. */
function workerWith(vars: Record<string, string> = {}) {
  const worker = createWorker(quiet);
  const bindings = { ...env, DEFAULT_MODEL: 'flat', ...vars };
  return {
    fetch: (path: string, body?: unknown) =>
      worker.fetch(
        new Request(`http://worker${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          ...(body === undefined
            ? {}
            : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        }),
        bindings,
      ),
  };
}

type Hit = z.infer<typeof SearchResponseSchema>['results'][number];

/**
 * The same hits in the same order, scores within `tolerance`, except that two hits whose scores are
 * within the tolerance may trade places (or trade the last place with a hit left out).
 */
function expectSameRanking(got: readonly Hit[], expected: readonly Hit[], tolerance: number): void {
  expect(got.length).toBe(expected.length);
  const expectedById = new Map(expected.map((hit) => [hit.id, hit]));
  const last = expected[expected.length - 1]?.score ?? 0;
  got.forEach((hit, i) => {
    expect(Math.abs(hit.score - expected[i].score), `score at ${i}`).toBeLessThan(tolerance);
    if (hit.id === expected[i].id) return;
    const same = expectedById.get(hit.id);
    // Elsewhere in the list: a near-tie that traded places; absent: a near-tie at the boundary.
    expect(Math.abs(hit.score - (same?.score ?? last)), `${hit.id} at ${i}`).toBeLessThan(2 * tolerance);
  });
  for (const hit of got) {
    const same = expectedById.get(hit.id);
    if (same)
      expect({ text: hit.text, metadata: hit.metadata }).toEqual({
        text: same.text,
        metadata: same.metadata,
      });
  }
}

describe('a sharded collection', () => {
  it('fails a search, naming the shards, when shards do not answer in time', async () => {
    const worker = workerWith({ SHARD_TIMEOUT_MS: '1' });
    const response = await worker.fetch('/v1/search', { ...SHARD_SEARCHES[0], model: 'sharded' });
    expect(response.status).toBe(503);
    const { error } = ErrorResponseSchema.parse(await response.json());
    expect(error.code).toBe('shards_unavailable');
    expect(error.message).toMatch(/shard \d \(no answer within 1 ms\)/);
    expect(error.message).toContain('no partial result is given');
  });

  it('fails a search naming the shard whose file does not match its checksum, then recovers', async () => {
    const key = 'sharded/v1/worker-catalogue-0002.bin';
    const good = seedObject(objects, key);
    const broken = good.slice();
    broken[broken.length - 1] ^= 0xff;
    await env.MODELS.put(key, broken);
    try {
      const response = await workerWith().fetch('/v1/search', { ...SHARD_SEARCHES[0], model: 'sharded' });
      expect(response.status).toBe(503);
      const { error } = ErrorResponseSchema.parse(await response.json());
      expect(error.code).toBe('shards_unavailable');
      expect(error.message).toMatch(
        /1 of 5 shards .* shard 2 \(sharded\/v1\/worker-catalogue-0002\.bin has sha256 [0-9a-f]{64}, the manifest says/,
      );
    } finally {
      await env.MODELS.put(key, good);
    }
    // A failed load is not kept: the shard's Durable Object loads the restored file on the next search.
    expect((await workerWith().fetch('/v1/search', { ...SHARD_SEARCHES[0], model: 'sharded' })).status).toBe(
      200,
    );
  });

  it(`answers every search as one shard does and as the Node server does (${SHARD_COUNT} shards)`, async () => {
    const worker = workerWith();
    for (const [i, search] of SHARD_SEARCHES.entries()) {
      const answer = async (model: string) => {
        const response = await worker.fetch('/v1/search', { ...search, model });
        expect(response.status, `${model}: ${JSON.stringify(search)}`).toBe(200);
        return SearchResponseSchema.parse(await response.json()).results;
      };
      const flat = await answer('flat');
      const sharded = await answer('sharded');
      const node = SearchResponseSchema.parse(nodeReplies[i].body).results;
      expect(flat.length).toBe(Math.min(search.k, node.length));
      // Sharded and unsharded: the same ids, the same scores, bit for bit (the same rows, scored alike).
      expect(sharded).toEqual(flat);
      // Node scores float32 vectors; the Workers index re-scores int8 codes with an int8 residual.
      expectSameRanking(flat, node, 1e-4);
      if ('filter' in search && search.filter.pos) {
        for (const hit of flat) expect(hit.metadata.pos).toBe(search.filter.pos);
      }
    }
  });
});

describe('/healthz on the Worker', () => {
  it('reports every WebAssembly memory the isolate owns and the items of each collection', async () => {
    const worker = workerWith();
    await worker.fetch('/v1/search', { ...SHARD_SEARCHES[0], model: 'flat' });
    // Durable Objects report their shard's memory with each answer.
    await worker.fetch('/v1/search', { ...SHARD_SEARCHES[0], model: 'sharded' });
    const response = await worker.fetch('/healthz');
    expect(response.status).toBe(200);
    const { memory } = HealthResponseSchema.parse(await response.json());
    if (!memory) throw new Error('/healthz has no memory figure');
    expect(memory.wasm_bytes.onnxruntime).toBeGreaterThan(1 << 20);
    // The flat shard lives in this isolate (its file and the kernel's scratch); no index.db was opened.
    const flatShard = decodeBase64(
      objects.find((o) => o.key === 'flat/v1/worker-catalogue-0000.bin')?.base64 ?? '',
    );
    expect(memory.wasm_bytes.shards).toBeGreaterThanOrEqual(flatShard.length);
    expect(memory.wasm_bytes.shards).toBeLessThan(flatShard.length + (1 << 17));
    expect(memory.wasm_bytes.sqlite).toBe(0);
    expect(memory.total_wasm_bytes).toBe(memory.wasm_bytes.onnxruntime + memory.wasm_bytes.shards);
    const shardFile = (key: string) => decodeBase64(objects.find((o) => o.key === key)?.base64 ?? '').length;
    const inMemory = (fileBytes: number) =>
      expect.toSatisfy((bytes: number) => bytes >= fileBytes && bytes < fileBytes + (1 << 17));
    expect(memory.collections).toEqual(
      expect.arrayContaining([
        {
          collection: 'catalogue',
          model: 'flat',
          items: CATALOGUE_ITEMS,
          shards: 1,
          where: 'isolate',
          shard_wasm_bytes: [memory.wasm_bytes.shards],
        },
        {
          collection: 'catalogue',
          model: 'sharded',
          items: CATALOGUE_ITEMS,
          shards: SHARD_COUNT,
          where: 'durable-objects',
          shard_wasm_bytes: Array.from({ length: SHARD_COUNT }, (_, i) =>
            inMemory(shardFile(`sharded/v1/worker-catalogue-000${i}.bin`)),
          ),
        },
      ]),
    );
  });
});
