import { describe, expect, it } from 'vitest';
import { buildHnsw } from './build-hnsw.ts';
import { clusteredUnitVectors } from './clustered-vectors.ts';
import { ExactScan } from './exact-scan.ts';
import { GraphWalk, walkBytes } from './graph-walk.ts';
import { HnswSearcher, widestDegree } from './hnsw-graph.ts';
import { Int8Codes, int8ScratchBytes } from './int8-codes.ts';
import { loadScanKernel } from './scan-kernel/load-node.ts';
import { align } from './scan-kernel.ts';

const DIM = 32;
const COUNT = 3000;
const QUERIES = 40;
const all = clusteredUnitVectors(COUNT + QUERIES, DIM, { clusters: 30, spread: 0.35, seed: 5 });
const vectors = all.subarray(0, COUNT * DIM);
const graph = buildHnsw(vectors, DIM, { m: 8, efConstruction: 48 });
const module = loadScanKernel();
const widest = widestDegree(graph.layers);
const codesScratch = align(int8ScratchBytes(DIM, widest));
const scan = new ExactScan(vectors, DIM, {
  module,
  codes: 'int8',
  extraBytes: codesScratch + walkBytes(COUNT, graph.layers[0].degree, DIM, true),
});
const codes = new Int8Codes(scan.int8Layout(scan.extraAt), DIM, widest);
const walk = new GraphWalk(
  module,
  { memory: scan.memory, codesAt: scan.codesAt, scalesAt: scan.scales.byteOffset, stride: DIM, rows: COUNT },
  graph.layers[0],
  scan.extraAt + codesScratch,
);
const inJs = new HnswSearcher({ ...graph, vectors: scan.vectors }, codes);
const inWasm = new HnswSearcher({ ...graph, vectors: scan.vectors }, codes, undefined, walk);
const query = (q: number) => all.slice((COUNT + q) * DIM, (COUNT + q + 1) * DIM);

describe('GraphWalk (layer 0 walked by the SIMD kernel)', () => {
  it('keeps the nodes the JavaScript walk keeps, and finds the exact top 10 as often', () => {
    let agree = 0;
    let hits = 0;
    for (let q = 0; q < QUERIES; q++) {
      const unit = query(q);
      const exact = new Set(scan.search(unit, 10).rows);
      const js = inJs.knn(unit, 10, 40);
      const wasm = inWasm.knn(unit, 10, 40);
      agree += Array.from(wasm.nodes).filter((node) => js.nodes.includes(node)).length;
      hits += Array.from(wasm.nodes).filter((node) => exact.has(node)).length;
      // Scores are the float32 re-ranking's, best first.
      for (let i = 1; i < wasm.scores.length; i++)
        expect(wasm.scores[i]).toBeLessThanOrEqual(wasm.scores[i - 1]);
    }
    expect(agree / (QUERIES * 10)).toBeGreaterThanOrEqual(0.97);
    expect(hits / (QUERIES * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('visits afresh on every search and refuses an ef it has no room for', () => {
    const unit = query(0);
    expect(Array.from(inWasm.knn(unit, 5, 30).nodes)).toEqual(Array.from(inWasm.knn(unit, 5, 30).nodes));
    expect(() => walk.search(unit, graph.entry, 0)).toThrow(RangeError);
    expect(() => walk.search(unit, graph.entry, 5000)).toThrow(RangeError);
  });
});
