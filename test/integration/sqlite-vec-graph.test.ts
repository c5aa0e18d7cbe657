import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knnSql } from '../../edge/adapters/knn-query.ts';
import { openSqliteVecIndex, type SqliteVecIndex } from '../../edge/adapters/node/sqlite-vec-index.ts';
import { readVectors } from '../../edge/adapters/node/vec0-vectors.ts';
import { clusteredUnitVectors } from '../../shared/ann/clustered-vectors.ts';
import { openVecDatabase, vectorBlob } from '../../shared/db/better-sqlite.ts';
import { vecTableName } from '../../shared/db/index-schema.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import { buildIndex, type IndexItem } from '../../trainer/index/build-index.ts';

/**
 * The graph path of the Node VectorIndex over a real index file: seeded clustered vectors (the shape of
 * real embeddings), a graph built by the index builder, searched through the adapter and graded against
 * the same file searched exactly (by the in-memory SIMD scan, itself checked against vec0).
 */
const DIM = 16;
const COUNT = 3000;
const CLUSTERS = 40;
const K = 10;
const QUERIES = 100;
const GRAPH = { minItems: 1000, m: 12, efConstruction: 64 };

let dir: string;
let path: string;
let smallPath: string;
let items: IndexItem[];
let vectors: Float32Array;
let queries: Float32Array[];
let graphIndex: SqliteVecIndex;
let exactIndex: SqliteVecIndex;

/** Items whose vectors are scaled copies of the data: the index must not assume unit vectors. */
async function build(file: string, count: number, name: string): Promise<void> {
  await buildIndex({
    path: file,
    collection: { name, filterable: [{ name: 'cluster', type: 'integer' }] },
    model: { name: 'm', version: 'v1', dim: DIM },
    items: items.slice(0, count),
    graph: GRAPH,
    embed: async (_texts, batch) =>
      batch.map((item) => {
        const row = Number(item.id.slice(5));
        return vectors.slice(row * DIM, (row + 1) * DIM).map((value) => value * (1 + (row % 3)));
      }),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sqlite-vec-graph-'));
  const all = clusteredUnitVectors(COUNT + QUERIES, DIM, { clusters: CLUSTERS, spread: 0.6, seed: 9 });
  vectors = all.subarray(0, COUNT * DIM);
  queries = Array.from({ length: QUERIES }, (_, q) => all.slice((COUNT + q) * DIM, (COUNT + q + 1) * DIM));
  items = Array.from({ length: COUNT }, (_, row) => ({
    id: `item-${row}`,
    text: `text of item ${row}`,
    metadata: { cluster: row % CLUSTERS, tags: ['a', row] },
  }));
  path = join(dir, 'large.db');
  smallPath = join(dir, 'small.db');
  await build(path, COUNT, 'large');
  await build(smallPath, GRAPH.minItems - 1, 'small');
  graphIndex = openSqliteVecIndex([path, smallPath]);
  exactIndex = openSqliteVecIndex([path, smallPath], { mode: 'exact' });
});

afterAll(() => {
  graphIndex?.close();
  exactIndex?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('openSqliteVecIndex with a search graph', () => {
  it('finds the exact top 10 with recall@10 of at least 0.97', async () => {
    expect(graphIndex.searchMethod({ model: 'm', name: 'large' })).toBe('graph');
    expect(exactIndex.searchMethod({ model: 'm', name: 'large' })).toBe('exact');
    let hits = 0;
    for (const query of queries) {
      const exact = await exactIndex.search({ model: 'm', name: 'large' }, query, K);
      const found = await graphIndex.search({ model: 'm', name: 'large' }, query, K);
      const kth = exact[K - 1].score;
      hits += found.filter((hit) => hit.score >= kth - 1e-6).length;
    }
    expect(hits / (QUERIES * K)).toBeGreaterThanOrEqual(0.97);
  });

  it('answers with the fields of an exact search: id, cosine score, text and metadata', async () => {
    const hits = await graphIndex.search({ model: 'm', name: 'large' }, queries[0], K);
    expect(hits).toHaveLength(K);
    hits.forEach((hit, rank) => {
      const row = Number(hit.id.slice(5));
      expect(hit.text).toBe(items[row].text);
      expect(hit.metadata).toEqual(items[row].metadata);
      expect(hit.score).toBeCloseTo(
        cosineSimilarity(queries[0], vectors.subarray(row * DIM, (row + 1) * DIM)),
        5,
      );
      if (rank > 0) expect(hit.score).toBeLessThanOrEqual(hits[rank - 1].score);
    });
    const [self] = await graphIndex.search(
      { model: 'm', name: 'large' },
      vectors.slice(123 * DIM, 124 * DIM),
      1,
    );
    expect(self.id).toBe('item-123');
  });

  it("stays exact with a filter (the scan's bitmap): the same answers as vec0's filtered KNN", async () => {
    const db = openVecDatabase(path, { readonly: true });
    try {
      const knn = db.prepare<unknown[]>(knnSql(vecTableName(1), ['cluster IN (?, ?)']));
      for (const query of queries.slice(0, 10)) {
        const filter = { cluster: [3, 17] };
        const hits = await graphIndex.search({ model: 'm', name: 'large' }, query, K, filter);
        expect(hits).toEqual(await exactIndex.search({ model: 'm', name: 'large' }, query, K, filter));
        const rows = knn.all(vectorBlob(query), BigInt(K), 3n, 17n) as { id: string; distance: number }[];
        expect(hits.map((hit) => hit.id)).toEqual(rows.map((row) => row.id));
        hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(1 - rows[i].distance, 5));
      }
    } finally {
      db.close();
    }
  });

  it('searches a collection below the graph threshold exactly', async () => {
    expect(graphIndex.searchMethod({ model: 'm', name: 'small' })).toBe('exact');
    for (const query of queries.slice(0, 10)) {
      expect(await graphIndex.search({ model: 'm', name: 'small' }, query, K)).toEqual(
        await exactIndex.search({ model: 'm', name: 'small' }, query, K),
      );
    }
  });

  it('refuses unknown search options', () => {
    expect(() => openSqliteVecIndex([path], { mode: 'fast' as 'exact' })).toThrow();
    expect(() => openSqliteVecIndex([path], { ef: 0 })).toThrow();
  });
});

describe('readVectors', () => {
  it("reads a vec0 table's vectors in bulk, in the order of the rowids asked", () => {
    const db = openVecDatabase(path, { readonly: true });
    try {
      const rowids = Int32Array.from([5, 1, COUNT, 2]);
      const read = readVectors(db, 'vec_1', DIM, rowids);
      const one = db.prepare('SELECT embedding FROM vec_1 WHERE rowid = ?').pluck();
      rowids.forEach((rowid, i) => {
        const stored = one.get(BigInt(rowid)) as Buffer;
        expect(Buffer.from(read.buffer, i * DIM * 4, DIM * 4).equals(stored)).toBe(true);
      });
      expect(() => readVectors(db, 'vec_1', DIM, Int32Array.from([COUNT + 1]))).toThrow(
        /no vector for rowid/,
      );
    } finally {
      db.close();
    }
  });
});
