import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusteredUnitVectors } from '../../../shared/ann/clustered-vectors.ts';
import { cosineSimilarity } from '../../../shared/vector.ts';
import type { CollectionRef, WrittenItem } from '../../ports.ts';
import { openCollectionStore, type SqliteCollectionStore } from './collection-store.ts';

/**
 * The written collections on a real sqlite-vec file: every answer is graded against a brute-force cosine
 * top k over the items the test wrote (kept beside the store in a Map), after inserts, updates and
 * deletes, through the search graph and exactly, and again after the file is closed and reopened.
 */
const DIM = 16;
const COUNT = 2000;
const K = 10;
const QUERIES = 50;

let dir: string;
let path: string;
let store: SqliteCollectionStore;
let data: Float32Array;
let queries: Float32Array[];
const ref: CollectionRef = { model: 'm', name: 'notes' };
/** What the collection should hold: the reference the store is checked against. */
const expected = new Map<string, WrittenItem>();

const vectorOf = (row: number) => data.slice(row * DIM, (row + 1) * DIM);
const itemOf = (row: number, vector = vectorOf(row)): WrittenItem => ({
  id: `item-${String(row).padStart(5, '0')}`,
  vector,
  text: `text ${row}`,
  source: JSON.stringify(`text ${row}`),
  metadata: { cluster: row % 7, even: row % 2 === 0 },
});

function bruteForce(query: Float32Array, k: number, keep: (item: WrittenItem) => boolean = () => true) {
  return [...expected.values()]
    .filter(keep)
    .map((item) => ({ id: item.id, score: cosineSimilarity(query, item.vector) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

async function write(items: WrittenItem[]): Promise<void> {
  expect(await store.upsert(ref, items, store.collection(ref)!.modelVersion)).not.toHaveProperty('boundTo');
  for (const item of items) expected.set(item.id, item);
}

/** Mean recall@k of the store's answers against brute force; with `exact`, also the same scores. */
async function recall(exact: boolean): Promise<number> {
  let found = 0;
  for (const query of queries) {
    const hits = await store.search(ref, query, K);
    const truth = bruteForce(query, K);
    const truthIds = new Set(truth.map((t) => t.id));
    for (const hit of hits) {
      expect(expected.has(hit.id), `${hit.id} is not stored`).toBe(true);
      if (truthIds.has(hit.id)) found += 1;
    }
    if (exact) {
      expect(hits.map((h) => h.id)).toEqual(truth.map((t) => t.id));
      hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(truth[i].score, 5));
    }
  }
  return found / (QUERIES * K);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'collection-store-'));
  path = join(dir, 'collections.db');
  const all = clusteredUnitVectors(COUNT + QUERIES, DIM, { clusters: 30, spread: 0.6, seed: 4 });
  data = all.subarray(0, COUNT * DIM);
  queries = Array.from({ length: QUERIES }, (_, q) => all.slice((COUNT + q) * DIM, (COUNT + q + 1) * DIM));
  store = await openCollectionStore(path);
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('written collections on sqlite-vec', () => {
  it('creates a collection bound to its model version, with typed filter fields', async () => {
    const info = await store.create({
      ...ref,
      modelVersion: 'v1',
      dims: DIM,
      filterable: [
        { name: 'cluster', type: 'integer' },
        { name: 'even', type: 'boolean' },
      ],
    });
    expect(info).toMatchObject({ name: 'notes', model: 'm', modelVersion: 'v1', items: 0, writable: true });
    await expect(store.create({ ...ref, modelVersion: 'v1', dims: DIM })).rejects.toThrow(/exists/);
  });

  it('answers exactly like brute force after batches of inserts', async () => {
    for (let start = 0; start < COUNT; start += 250) {
      await write(Array.from({ length: 250 }, (_, i) => itemOf(start + i)));
    }
    expect(store.collection(ref)).toMatchObject({ items: COUNT, search: 'exact' });
    expect(await recall(true)).toBe(1);
  });

  it('writes a batch with one bad item not at all', async () => {
    const before = await store.sources(ref);
    const good = itemOf(5, vectorOf(6));
    const badVector = { ...itemOf(COUNT + 1), vector: new Float32Array(DIM - 1).fill(1) };
    await expect(store.upsert(ref, [good, badVector], 'v1')).rejects.toThrow(/has 15 values, expected 16/);
    const missingField = { ...itemOf(8), id: 'new-item', metadata: { cluster: 1 } };
    await expect(store.upsert(ref, [good, missingField], 'v1')).rejects.toThrow(/even/);
    await expect(store.upsert(ref, [good, good], 'v1')).rejects.toThrow(/twice/);
    expect(await store.upsert(ref, [good], 'v0')).toEqual({ boundTo: 'v1' });
    expect(await store.sources(ref)).toEqual(before);
    expect((await store.item(ref, good.id))?.vector).toEqual(vectorOf(5));
    expect(await store.item(ref, itemOf(COUNT + 1).id)).toBeUndefined();
  });

  it('searches through its graph once built, and exactly again as soon as it is written', async () => {
    await store.buildGraph(ref);
    expect(store.collection(ref)?.search).toBe('graph');
    expect(await recall(false)).toBeGreaterThan(0.9);

    // Updates move 300 items next to others (not onto them: ties would leave the order open); deletes
    // remove 300 others.
    const beside = (row: number) => vectorOf(row).map((value, j) => (j === 0 ? value + 0.05 : value));
    await write(Array.from({ length: 300 }, (_, i) => itemOf(i, beside(COUNT - 1 - i))));
    expect(store.collection(ref)?.search).toBe('exact');
    const gone = Array.from({ length: 300 }, (_, i) => itemOf(1000 + i).id);
    expect(await store.remove(ref, [...gone, 'never-stored'])).toEqual(gone);
    for (const id of gone) expected.delete(id);
    expect(store.collection(ref)).toMatchObject({ items: COUNT - 300, search: 'exact' });
    expect(await recall(true)).toBe(1);

    await store.buildGraph(ref);
    expect(store.collection(ref)?.search).toBe('graph');
    expect(await recall(false)).toBeGreaterThan(0.9);
  });

  it('filters on the declared fields exactly', async () => {
    for (const query of queries.slice(0, 10)) {
      const hits = await store.search(ref, query, K, { cluster: [2, 3], even: true });
      const truth = bruteForce(
        query,
        K,
        (item) => [2, 3].includes(item.metadata.cluster as number) && item.metadata.even === true,
      );
      expect(hits.map((h) => h.id)).toEqual(truth.map((t) => t.id));
    }
  });

  it('lists items in id order, page by page', async () => {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.page(ref, after, 333);
      ids.push(...page.items.map((item) => item.id));
      if (page.next === null) break;
      after = page.next;
    }
    expect(ids).toEqual([...expected.keys()].sort());
  });

  it('keeps every write, and the graph, across a close and reopen', async () => {
    store.close();
    store = await openCollectionStore(path);
    expect(store.collection(ref)).toMatchObject({ items: COUNT - 300, search: 'graph', modelVersion: 'v1' });
    expect(await recall(false)).toBeGreaterThan(0.9);
    const stored = await store.item(ref, itemOf(7).id);
    expect(stored).toEqual(expected.get(itemOf(7).id));
  });

  it('rebinds to a new version only from the revision its vectors were made at', async () => {
    const { revision, items } = await store.sources(ref);
    const vectors = new Map(items.map((item) => [item.id, expected.get(item.id)!.vector.map((v) => -v)]));
    await write([itemOf(1500)]);
    expect(await store.rebind(ref, { revision, modelVersion: 'v2', vectors })).toBe(false);
    expect(store.collection(ref)?.modelVersion).toBe('v1');

    const now = await store.sources(ref);
    vectors.set(
      itemOf(1500).id,
      expected.get(itemOf(1500).id)!.vector.map((v) => -v),
    );
    expect(await store.rebind(ref, { revision: now.revision, modelVersion: 'v2', vectors })).toBe(true);
    for (const [id, vector] of vectors) expected.set(id, { ...expected.get(id)!, vector });
    expect(store.collection(ref)).toMatchObject({ modelVersion: 'v2', search: 'exact' });
    expect(await recall(true)).toBe(1);
  });

  it('drops a collection with its items and vectors', async () => {
    await store.drop(ref);
    expect(store.collection(ref)).toBeUndefined();
    store.close();
    store = await openCollectionStore(path);
    expect(store.collections()).toEqual([]);
    const again = await store.create({ ...ref, modelVersion: 'v2', dims: DIM });
    expect(again.items).toBe(0);
  });
});
