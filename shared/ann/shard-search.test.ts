import { describe, expect, it } from 'vitest';
import { buildHnsw } from './build-hnsw.ts';
import { clusteredUnitVectors } from './clustered-vectors.ts';
import { dotAt } from './hnsw-graph.ts';
import { loadScanKernel } from './scan-kernel/load-node.ts';
import { encodeShard, readShardHeader } from './shard-file.ts';
import { type ShardFilter, ShardSearcher, shardMemory } from './shard-search.ts';

function load(bin: Uint8Array): ShardSearcher {
  const memory = shardMemory(bin.length);
  new Uint8Array(memory.buffer).set(bin);
  return new ShardSearcher(memory, bin.length, 'test', { scan: loadScanKernel() });
}

/** The float32 exact top k (ties to the lower row). */
function bruteForce(
  vectors: Float32Array,
  dim: number,
  query: Float32Array,
  k: number,
  keep = (_: number) => true,
) {
  const rows = vectors.length / dim;
  const scored = Array.from({ length: rows }, (_, row) => ({
    row,
    score: dotAt(query, 0, vectors, row * dim, dim),
  }))
    .filter((hit) => keep(hit.row))
    .sort((a, b) => b.score - a.score || a.row - b.row);
  return scored.slice(0, k);
}

const COLORS = ['red', 'green', 'blue'];

describe('a shard file searched in place', () => {
  it.each([8, 12, 128])('scans exactly, within 1e-4 of float32, with and without filters (dim %i)', (dim) => {
    const rows = 3000;
    const all = clusteredUnitVectors(rows + 20, dim, { clusters: 30, spread: 0.5, seed: dim });
    const vectors = all.slice(0, rows * dim);
    const { bin, items } = encodeShard({
      dim,
      first: 0,
      vectors,
      records: Array.from({ length: rows }, (_, row) => JSON.stringify({ id: `item-${row}` })),
      columns: [
        { name: 'color', type: 'text', values: Array.from({ length: rows }, (_, row) => COLORS[row % 3]) },
        { name: 'size', type: 'integer', values: Array.from({ length: rows }, (_, row) => row % 7) },
        { name: 'tag', type: 'integer', values: Array.from({ length: rows }, (_, row) => row % 600) },
      ],
    });
    const shard = load(bin);
    const [start, end] = shard.itemRange(1234);
    expect(JSON.parse(new TextDecoder().decode(items.subarray(start, end)))).toEqual({ id: 'item-1234' });
    for (let q = 0; q < 20; q++) {
      const query = all.slice((rows + q) * dim, (rows + q + 1) * dim);
      const cases: { filter?: ShardFilter; keep: (row: number) => boolean }[] = [
        { filter: undefined, keep: () => true },
        { filter: { color: 'blue' }, keep: (row: number) => row % 3 === 2 },
        // Fewer matches than k: exactly the matching rows come back.
        { filter: { tag: 5 }, keep: (row: number) => row % 600 === 5 },
        {
          filter: { color: ['red', 'green'], size: [1, 2] },
          keep: (row: number) => row % 3 !== 2 && [1, 2].includes(row % 7),
        },
      ];
      for (const { filter, keep } of cases) {
        const expected = bruteForce(vectors, dim, query, 10, keep);
        const got = shard.search(query, 10, 64, filter);
        expect(Array.from(got.scores)).toEqual(expected.map((hit) => expect.closeTo(hit.score, 4)));
        // Rows agree except where two float32 scores are closer than the tolerance.
        got.rows.forEach((row, i) => {
          if (row !== expected[i].row) expect(Math.abs(got.scores[i] - expected[i].score)).toBeLessThan(1e-4);
        });
      }
    }
  });

  it('walks its graph as the Node index does: recall@10 >= 0.95 against exact search', () => {
    const dim = 32;
    const rows = 6000;
    const all = clusteredUnitVectors(rows + 50, dim, { clusters: 60, spread: 0.6, seed: 3 });
    const vectors = all.slice(0, rows * dim);
    const graph = buildHnsw(vectors, dim, { m: 8, efConstruction: 64 });
    const { bin } = encodeShard({
      dim,
      first: 0,
      vectors,
      graph: { entry: graph.entry, layers: graph.layers, params: { m: 8, efConstruction: 64 } },
      records: Array.from({ length: rows }, (_, row) => `${row}`),
      columns: [],
    });
    const shard = load(bin);
    let found = 0;
    for (let q = 0; q < 50; q++) {
      const query = all.slice((rows + q) * dim, (rows + q + 1) * dim);
      const exact = new Set(bruteForce(vectors, dim, query, 10).map((hit) => hit.row));
      const got = shard.search(query, 10, 64);
      found += Array.from(got.rows).filter((row) => exact.has(row)).length;
      got.rows.forEach((row, i) =>
        expect(got.scores[i]).toBeCloseTo(dotAt(query, 0, vectors, row * dim, dim), 4),
      );
    }
    expect(found / 500).toBeGreaterThanOrEqual(0.95);
  });

  it('refuses a file that is not a shard, and a filter on a field it does not hold', () => {
    expect(() => readShardHeader(new Uint8Array(64), 'x.bin')).toThrow(/x.bin is not a shard file/);
    const { bin } = encodeShard({
      dim: 16,
      first: 0,
      vectors: new Float32Array(16).fill(0.25),
      records: ['a'],
      columns: [],
    });
    expect(() => load(bin).search(new Float32Array(16).fill(1), 1, 8, { color: 'red' })).toThrow(
      /cannot filter on "color"/,
    );
  });
});
