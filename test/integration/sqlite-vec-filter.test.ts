import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteVecIndex } from '../../edge/adapters/node/sqlite-vec-index.ts';
import { createVecTableSql, MetadataColumnSchema, metadataColumnsOf } from '../../shared/db/index-schema.ts';
import { mulberry32 } from '../../shared/random.ts';
import { buildIndex, type IndexItem } from '../../trainer/index/build-index.ts';

/**
 * Filterable metadata: declared at build time as vec0 metadata columns, read back by the Node index, and
 * used to return the exact top k among the matching items.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const DIM = 4;
const COLUMNS = [
  { name: 'label', type: 'integer' },
  { name: 'kind', type: 'text' },
  { name: 'price', type: 'float' },
  { name: 'sale', type: 'boolean' },
] as const;

function items(count: number): { items: IndexItem[]; vectors: Map<string, Float32Array> } {
  const random = mulberry32(3);
  const vectors = new Map<string, Float32Array>();
  const list = Array.from({ length: count }, (_, i) => {
    const id = `item-${i}`;
    vectors.set(
      id,
      Float32Array.from({ length: DIM }, () => random() - 0.5),
    );
    return {
      id,
      text: id,
      metadata: { label: i % 3, kind: i % 2 ? 'odd' : 'even', price: i / 4, sale: i % 5 === 0 },
    };
  });
  return { items: list, vectors };
}

async function build(list: IndexItem[], vectors: Map<string, Float32Array>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'filterable-'));
  dirs.push(dir);
  const path = join(dir, 'index.db');
  await buildIndex({
    path,
    collection: { name: 'things', filterable: [...COLUMNS] },
    model: { name: 'm', version: 'v1', dim: DIM },
    items: list,
    embed: async (_texts, batch) => batch.map((item) => vectors.get(item.id)!),
  });
  return path;
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
};

describe('filterable metadata columns', () => {
  it('round-trip through the vec0 declaration', () => {
    const sql = createVecTableSql(7, 16, [...COLUMNS]);
    expect(sql).toBe(
      'CREATE VIRTUAL TABLE vec_7 USING vec0(embedding float[16] distance_metric=cosine, label integer, kind text, price float, sale boolean)',
    );
    expect(metadataColumnsOf(sql)).toEqual(COLUMNS);
    expect(metadataColumnsOf(createVecTableSql(7, 16))).toEqual([]);
  });

  it('refuse names that are not identifiers or that vec0 reserves', () => {
    for (const name of ['distance', 'k', 'Embedding', 'a b', "x'); DROP TABLE items; --"]) {
      expect(MetadataColumnSchema.safeParse({ name, type: 'text' }).success, name).toBe(false);
    }
  });

  it('filter searches to the exact top k of the matching items, by value, values, or several fields', async () => {
    const { items: list, vectors } = items(60);
    const index = openSqliteVecIndex([await build(list, vectors)]);
    try {
      expect(index.collection({ model: 'm', name: 'things' })?.filterable).toEqual(COLUMNS);
      const query = Float32Array.from([0.3, -0.2, 0.5, 0.1]);
      const ranked = [...list].sort(
        (a, b) => cosine(query, vectors.get(b.id)!) - cosine(query, vectors.get(a.id)!),
      );
      const cases: [
        Record<string, string | number | boolean | (string | number | boolean)[]>,
        (m: Record<string, unknown>) => boolean,
      ][] = [
        [{ label: 2 }, (m) => m.label === 2],
        [{ kind: ['odd'], sale: true }, (m) => m.kind === 'odd' && m.sale === true],
        [{ label: [0, 1], price: 3.5 }, (m) => (m.label === 0 || m.label === 1) && m.price === 3.5],
        [{ kind: 'neither' }, () => false],
        [{ sale: false, label: 1 }, (m) => m.sale === false && m.label === 1],
      ];
      for (const [filter, matches] of cases) {
        const hits = await index.search({ model: 'm', name: 'things' }, query, 5, filter);
        const expected = ranked.filter((item) => matches(item.metadata!)).slice(0, 5);
        expect(hits.map((h) => h.id)).toEqual(expected.map((item) => item.id));
      }
      await expect(index.search({ model: 'm', name: 'things' }, query, 5, { colour: 'red' })).rejects.toThrow(
        /cannot filter on "colour"/,
      );
      await expect(index.search({ model: 'm', name: 'things' }, query, 5, { label: 'two' })).rejects.toThrow(
        /takes integer values/,
      );
    } finally {
      index.close();
    }
  });

  it('refuse to build when an item lacks a declared field or has the wrong type', async () => {
    const { items: list, vectors } = items(3);
    list[1].metadata = { ...list[1].metadata, label: 'one' };
    await expect(build(list, vectors)).rejects.toThrow(
      /item "item-1": filterable field "label" must be an integer/,
    );
  });
});
