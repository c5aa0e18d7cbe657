import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knnSql } from '../../edge/adapters/knn-query.ts';
import { MAX_K, openSqliteVecIndex, type SqliteVecIndex } from '../../edge/adapters/node/sqlite-vec-index.ts';
import { openVecDatabase, vectorBlob } from '../../shared/db/better-sqlite.ts';
import { vecTableName } from '../../shared/db/index-schema.ts';
import type { TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import { buildIndex, type IndexItem } from '../../trainer/index/build-index.ts';
import { createTestEmbedder, testCatalogue } from '../fixtures/index-catalogue.ts';

const DIM = 32;
const SMALL_DIM = 8;
let dir: string;
let embedder: TextEmbedder;
let glossesPath: string;
let otherPath: string;
let items: IndexItem[];
let vectors: Float32Array[];
let index: SqliteVecIndex;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-vec-index-'));
  embedder = await createTestEmbedder(DIM, 11);
  items = testCatalogue(400, 21);
  vectors = await embedder.embed(items.map((item) => item.text));
  glossesPath = join(dir, 'tiny', 'v1', 'index.db');
  await buildIndex({
    path: glossesPath,
    collection: { name: 'glosses', description: 'lemma with gloss' },
    model: { name: 'tiny', version: 'v1', dim: DIM },
    items,
    embed: (texts) => embedder.embed(texts),
  });

  // A second model version with its own dims in its own file.
  const small = await createTestEmbedder(SMALL_DIM, 12);
  otherPath = join(dir, 'small', 'v3', 'index.db');
  await buildIndex({
    path: otherPath,
    collection: { name: 'others' },
    model: { name: 'small', version: 'v3', dim: SMALL_DIM },
    items: testCatalogue(5, 22),
    embed: (texts) => small.embed(texts),
  });
  await small.release();
  index = openSqliteVecIndex([glossesPath, { path: otherPath }]);
});

afterAll(async () => {
  index?.close();
  await embedder?.release();
  rmSync(dir, { recursive: true, force: true });
});

/** The exact answer: cosine similarity against every stored vector, best first. */
function bruteForce(query: Float32Array, k: number): { id: string; score: number }[] {
  return items
    .map((item, i) => ({ id: item.id, score: cosineSimilarity(query, vectors[i]) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

describe('openSqliteVecIndex', () => {
  it('lists the collections of every file', () => {
    expect(index.collections()).toEqual([
      {
        name: 'glosses',
        model: 'tiny',
        modelVersion: 'v1',
        dims: DIM,
        distance: 'cosine',
        items: 400,
        description: 'lemma with gloss',
      },
      { name: 'others', model: 'small', modelVersion: 'v3', dims: SMALL_DIM, distance: 'cosine', items: 5 },
    ]);
    expect(index.collection({ model: 'small', name: 'others' })?.dims).toBe(SMALL_DIM);
    expect(index.collection({ model: 'tiny', name: 'missing' })).toBeUndefined();
    // A collection belongs to its model: the right name under another model is not it.
    expect(index.collection({ model: 'small', name: 'glosses' })).toBeUndefined();
  });

  it('serves two models that each hold a collection of the same name, each searched on its own', async () => {
    const twin = await createTestEmbedder(SMALL_DIM, 13);
    const twinPath = join(dir, 'twin', 'v1', 'index.db');
    const twinItems = testCatalogue(6, 23);
    await buildIndex({
      path: twinPath,
      collection: { name: 'glosses' },
      model: { name: 'twin', version: 'v1', dim: SMALL_DIM },
      items: twinItems,
      embed: (texts) => twin.embed(texts),
    });
    const [query] = await twin.embed([twinItems[2].text]);
    await twin.release();
    const both = openSqliteVecIndex([glossesPath, twinPath]);
    try {
      expect(both.collections().map((c) => [c.model, c.name, c.items])).toEqual([
        ['tiny', 'glosses', 400],
        ['twin', 'glosses', 6],
      ]);
      const [hit] = await both.search({ model: 'twin', name: 'glosses' }, query, 1);
      expect(hit.id).toBe(twinItems[2].id);
      // The other model's collection has other dims: the query is refused, not silently searched.
      await expect(both.search({ model: 'tiny', name: 'glosses' }, query, 1)).rejects.toThrow(/values/);
    } finally {
      both.close();
    }
  });

  it('returns the exact top-k by cosine similarity', async () => {
    const queries = await embedder.embed([
      'bright river water',
      'cold metal fire',
      'a bird in a green field',
      'x',
    ]);
    for (const query of queries) {
      for (const k of [1, 10, 50]) {
        const hits = await index.search({ model: 'tiny', name: 'glosses' }, query, k);
        const expected = bruteForce(query, k + 1);
        expect(hits).toHaveLength(k);
        // Rank by rank the scores agree, and each reported score is that item's true similarity.
        hits.forEach((hit, rank) => {
          expect(hit.score).toBeCloseTo(expected[rank].score, 5);
          const i = items.findIndex((item) => item.id === hit.id);
          expect(hit.score).toBeCloseTo(cosineSimilarity(query, vectors[i]), 5);
        });
        // Every item clearly better than the best one left out is in (ties at the cut may go either way).
        const cut = expected[k].score + 1e-5;
        const mustHave = expected.filter((e) => e.score > cut).map((e) => e.id);
        expect(hits.map((h) => h.id)).toEqual(expect.arrayContaining(mustHave));
        expect(mustHave.length).toBeGreaterThan(k / 2);
      }
    }
  });

  it("answers as vec0's own exact KNN over the file does (the in-memory SIMD scan)", async () => {
    const db = openVecDatabase(glossesPath, { readonly: true });
    try {
      const knn = db.prepare<unknown[]>(knnSql(vecTableName(1)));
      for (const [q, k] of [
        [0, 10],
        [7, 1],
        [123, 64],
      ]) {
        const query = vectors[q].map((x, j) => x + 0.05 * Math.sin(j + q));
        const rows = knn.all(vectorBlob(query), BigInt(k)) as { id: string; distance: number }[];
        const hits = await index.search({ model: 'tiny', name: 'glosses' }, query, k);
        expect(hits.map((hit) => hit.id)).toEqual(rows.map((row) => row.id));
        hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(1 - rows[i].distance, 6));
      }
    } finally {
      db.close();
    }
  });

  it('round-trips ids, texts and metadata: an item is its own nearest neighbour', async () => {
    for (const i of [0, 137, 399]) {
      const [hit] = await index.search({ model: 'tiny', name: 'glosses' }, vectors[i], 1);
      expect(hit.id).toBe(items[i].id);
      expect(hit.text).toBe(items[i].text);
      expect(hit.metadata).toEqual(items[i].metadata);
      expect(hit.score).toBeCloseTo(1, 5);
    }
  });

  it('returns every item when k exceeds the collection', async () => {
    const query = new Float32Array(SMALL_DIM).fill(1);
    expect(await index.search({ model: 'small', name: 'others' }, query, 20)).toHaveLength(5);
  });

  it('refuses an unknown collection, a bad k and a query of the wrong shape', async () => {
    const query = vectors[0];
    await expect(index.search({ model: 'tiny', name: 'nope' }, query, 5)).rejects.toThrow(
      'unknown collection "nope" of model tiny',
    );
    for (const k of [0, -1, 2.5, MAX_K + 1]) {
      await expect(index.search({ model: 'tiny', name: 'glosses' }, query, k)).rejects.toThrow(
        /k must be an integer in 1\.\.4096/,
      );
    }
    await expect(index.search({ model: 'tiny', name: 'glosses' }, query.subarray(0, 8), 5)).rejects.toThrow(
      /has 8 values, expected 32/,
    );
    await expect(index.search({ model: 'tiny', name: 'glosses' }, new Float32Array(DIM), 5)).rejects.toThrow(
      /zero vector/,
    );
    await expect(
      index.search({ model: 'tiny', name: 'glosses' }, new Float32Array(DIM).fill(Number.NaN), 5),
    ).rejects.toThrow(/non-finite/);
  });

  it('accepts k up to vec0’s limit', async () => {
    expect(await index.search({ model: 'tiny', name: 'glosses' }, vectors[0], MAX_K)).toHaveLength(400);
  });

  it("refuses a model's collection name that two files share, naming both", () => {
    expect(() => openSqliteVecIndex([glossesPath, otherPath, glossesPath])).toThrow(
      `collection "glosses" of model tiny is in both ${glossesPath} and ${glossesPath}`,
    );
  });

  it('refuses a file that is not an index database', () => {
    const notIndex = join(dir, 'empty.db');
    writeFileSync(notIndex, '');
    expect(() => openSqliteVecIndex([notIndex])).toThrow(`${notIndex} is not a readable index database`);
    expect(() => openSqliteVecIndex([join(dir, 'absent.db')])).toThrow();
  });

  it('never writes to the files it serves', async () => {
    const before = readFileSync(glossesPath);
    const reader = openSqliteVecIndex([glossesPath]);
    await reader.search({ model: 'tiny', name: 'glosses' }, vectors[1], 10);
    reader.close();
    expect(readFileSync(glossesPath).equals(before)).toBe(true);
  });

  it('cannot be searched after close', async () => {
    const reader = openSqliteVecIndex([otherPath]);
    reader.close();
    reader.close();
    await expect(
      reader.search({ model: 'small', name: 'others' }, new Float32Array(SMALL_DIM).fill(1), 1),
    ).rejects.toThrow();
  });
});
