import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusteredUnitVectors } from '../../shared/ann/clustered-vectors.ts';
import { readGraph } from '../../shared/ann/graph-table.ts';
import { openVecDatabase } from '../../shared/db/better-sqlite.ts';
import { type BuildIndexOptions, buildIndex } from './build-index.ts';

/** The search graph the builder stores beside a large enough collection (migrations/0003_ann_graphs.sql). */
const DIM = 8;
const COUNT = 1500;
const vectors = clusteredUnitVectors(COUNT, DIM, { clusters: 20, spread: 0.5, seed: 2 });
const dir = mkdtempSync(join(tmpdir(), 'build-index-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function build(name: string, graph: BuildIndexOptions['graph']) {
  const path = join(dir, `${name}.db`);
  const stats = await buildIndex({
    path,
    collection: { name: 'things' },
    model: { name: 'm', version: 'v1', dim: DIM },
    items: Array.from({ length: COUNT }, (_, row) => ({ id: `id-${row}`, text: `text ${row}` })),
    graph,
    embed: async (_texts, batch) =>
      batch.map((item) => {
        const row = Number(item.id.slice(3));
        return vectors.slice(row * DIM, (row + 1) * DIM);
      }),
  });
  const db = openVecDatabase(path, { readonly: true });
  try {
    return { stats, stored: readGraph(db, 1) };
  } finally {
    db.close();
  }
}

describe('buildIndex: search graph', () => {
  it('stores a graph over every item when the collection reaches minItems, deterministically', async () => {
    const first = await build('first', { minItems: COUNT, m: 8, efConstruction: 32 });
    const second = await build('second', { minItems: COUNT, m: 8, efConstruction: 32 });
    expect(first.stored).toBeDefined();
    expect(first.stored?.params).toEqual({ m: 8, efConstruction: 32, seed: 0 });
    // Node n is the item inserted n-th: items.id n + 1.
    expect(first.stored?.nodeItems).toEqual(Int32Array.from({ length: COUNT }, (_, n) => n + 1));
    expect(first.stored?.layers[0].degree).toBe(16);
    expect(second.stored).toEqual(first.stored);
    expect(first.stats.graphSeconds).toBeGreaterThan(0);
    expect(first.stats.seconds).toBeGreaterThanOrEqual(first.stats.graphSeconds ?? 0);
  });

  it('builds none below minItems, or when asked for none', async () => {
    const small = await build('small', { minItems: COUNT + 1 });
    const none = await build('none', false);
    for (const { stored, stats } of [small, none]) {
      expect(stored).toBeUndefined();
      expect(stats.graphSeconds).toBeUndefined();
    }
  });
});
