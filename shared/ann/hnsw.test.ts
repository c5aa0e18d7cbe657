import { describe, expect, it } from 'vitest';
import { buildHnsw } from './build-hnsw.ts';
import { clusteredUnitVectors } from './clustered-vectors.ts';
import { dotAt, HnswSearcher, widestDegree } from './hnsw-graph.ts';
import { Int8Codes } from './int8-codes.ts';
import { ScoreHeap } from './score-heap.ts';

const DIM = 32;
const COUNT = 6000;
const QUERIES = 200;
const K = 10;
const data = { clusters: 60, spread: 0.35, seed: 5 };
// Queries come from the same clusters as the data but are not in it.
const all = clusteredUnitVectors(COUNT + QUERIES, DIM, data);
const vectors = all.subarray(0, COUNT * DIM);
const queries = all.subarray(COUNT * DIM);
const graph = buildHnsw(vectors, DIM, { m: 12, efConstruction: 64 });

/** The k-th best exact similarity of every query (brute force). */
const kthExact = Array.from({ length: QUERIES }, (_, q) => {
  const scores = Float64Array.from({ length: COUNT }, (_, row) =>
    dotAt(queries, q * DIM, vectors, row * DIM, DIM),
  );
  return scores.sort()[COUNT - K];
});

const codes = Int8Codes.quantize(vectors, DIM, widestDegree(graph.layers));
/** The plain float32 search, and the one that walks int8 codes and re-ranks with float32. */
const searchers = { float32: () => new HnswSearcher(graph), int8: () => new HnswSearcher(graph, codes) };

function recallAt(ef: number, searcher = searchers.float32()): number {
  let hits = 0;
  for (let q = 0; q < QUERIES; q++) {
    const { scores } = searcher.knn(queries.subarray(q * DIM, (q + 1) * DIM), K, ef);
    // A found item as similar as the k-th exact one is a hit (ties may be broken either way).
    hits += scores.filter((score) => score >= kthExact[q] - 1e-6).length;
  }
  return hits / (QUERIES * K);
}

describe('HNSW graph', () => {
  it('finds the exact top 10 of clustered data with recall above 0.97, and more with a larger ef', () => {
    const low = recallAt(10);
    const high = recallAt(64);
    expect(high).toBeGreaterThanOrEqual(0.97);
    expect(high).toBeGreaterThan(low);
  });

  it('walking int8 codes then re-ranking keeps the float32 recall within a point', () => {
    for (const ef of [16, 64]) {
      expect(recallAt(ef, searchers.int8())).toBeGreaterThanOrEqual(recallAt(ef) - 0.01);
    }
  });

  it.each(['float32', 'int8'] as const)(
    'returns k nodes best first, each with its true similarity (%s)',
    (kind) => {
      const searcher = searchers[kind]();
      for (let q = 0; q < 20; q++) {
        const query = queries.subarray(q * DIM, (q + 1) * DIM);
        const { nodes, scores } = searcher.knn(query, K, 32);
        expect(nodes).toHaveLength(K);
        for (let i = 0; i < K; i++) {
          expect(scores[i]).toBeCloseTo(dotAt(query, 0, vectors, nodes[i] * DIM, DIM), 6);
          if (i > 0) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]);
        }
        expect(new Set(nodes).size).toBe(K);
      }
    },
  );

  it.each(['float32', 'int8'] as const)(
    'reaches every node: each is its own nearest neighbour (%s)',
    (kind) => {
      const searcher = searchers[kind]();
      for (let node = 0; node < COUNT; node += 7) {
        const { nodes } = searcher.knn(vectors.subarray(node * DIM, (node + 1) * DIM), 1, 32);
        expect(nodes[0]).toBe(node);
      }
    },
  );

  it('is deterministic (the same vectors and params give the same graph; another seed another one) and reports progress', () => {
    const reports: [number, number][] = [];
    const again = buildHnsw(vectors, DIM, { m: 12, efConstruction: 64 }, (linked, total) =>
      reports.push([linked, total]),
    );
    // Progress comes every 4,096 nodes and once at the end.
    expect(reports).toEqual([
      [4096, COUNT],
      [COUNT, COUNT],
    ]);
    expect(again.entry).toBe(graph.entry);
    expect(again.layers).toEqual(graph.layers);
    const reseeded = buildHnsw(vectors, DIM, { m: 12, efConstruction: 64, seed: 1 });
    expect(reseeded.layers.map((layer) => layer.nodes)).not.toEqual(graph.layers.map((layer) => layer.nodes));
  });

  it('thins the layers by about m per level, and caps every neighbour list at its degree', () => {
    const [bottom, ...upper] = graph.layers;
    expect(bottom.nodes).toHaveLength(COUNT);
    expect(bottom.degree).toBe(24);
    expect(upper.length).toBeGreaterThan(0);
    expect(upper[0].nodes.length).toBeGreaterThan(COUNT / 24);
    expect(upper[0].nodes.length).toBeLessThan(COUNT / 6);
    for (const layer of graph.layers) expect(layer.links).toHaveLength(layer.nodes.length * layer.degree);
  });

  it('refuses vectors that do not fill whole rows', () => {
    expect(() => buildHnsw(new Float32Array(10), 4)).toThrow(/rows of 4 values/);
  });
});

describe('ScoreHeap', () => {
  it('pops keys in ascending order and grows past its first capacity', () => {
    const heap = new ScoreHeap(2);
    const keys = [5, -1, 3, 3, 9, 0, -7, 2];
    keys.forEach((key, i) => heap.push(key, i));
    const popped: number[] = [];
    while (heap.size > 0) {
      popped.push(heap.topKey());
      heap.pop();
    }
    expect(popped).toEqual([...keys].sort((a, b) => a - b));
  });

  it('replaces its top in one pass, as pop then push would', () => {
    const heap = new ScoreHeap();
    for (const key of [4, 1, 6, 3]) heap.push(key, key);
    heap.replaceTop(5, 5);
    const popped: number[] = [];
    while (heap.size > 0) {
      popped.push(heap.topNode());
      heap.pop();
    }
    expect(popped).toEqual([3, 4, 5, 6]);
  });
});
