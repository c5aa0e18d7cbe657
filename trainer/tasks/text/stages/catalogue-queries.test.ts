import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../shared/random.ts';
import {
  bm25Scores,
  LEXICAL_RERANK_DEPTH,
  LEXICAL_WEIGHT,
} from '../../../../shared/search/lexical-rerank.ts';
import { loadWordNet } from '../data/wordnet.ts';
import { checkCatalogueQueries, loadCatalogueQueries } from './catalogue-queries.ts';

const DEFAULT_QUERIES = new URL('../../../../configs/catalogue-queries.json', import.meta.url).pathname;

function unitRows(rows: number, dim: number, random: () => number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      out[r * dim + d] = random() - 0.5;
      norm += out[r * dim + d] ** 2;
    }
    for (let d = 0; d < dim; d++) out[r * dim + d] /= Math.sqrt(norm);
  }
  return out;
}

describe('catalogue query check', () => {
  it('ranks the expected lemma as a full sort by cosine does, and passes within k', () => {
    const random = mulberry32(11);
    const dim = 8;
    const items = 200;
    const vectors = unitRows(items, dim, random);
    const ids = Array.from({ length: items }, (_, i) => `n${i}`);
    // Each lemma names several entries (senses); the rank is that of its best-scoring one.
    const lemmas = ids.map((_, i) => [`word${i % 40}`, ...(i === 7 ? ['Dog'] : [])]);
    const spec = {
      k: 5,
      queries: [
        { query: 'q0', expect: 'word3' },
        { query: 'q1', expect: 'dog' },
        { query: 'q2', expect: 'absent' },
      ],
    };
    // q1 is entry 7 itself: rank 1.
    const queries = unitRows(3, dim, random);
    queries.set(vectors.subarray(7 * dim, 8 * dim), dim);
    const texts = ids.map((id) => `entry ${id}`);
    const [checks] = checkCatalogueQueries('test.json', spec, queries, { ids, lemmas, texts, vectors, dim });

    const cosine = (q: number, i: number) =>
      Array.from({ length: dim }, (_, d) => queries[q * dim + d] * vectors[i * dim + d]).reduce(
        (a, b) => a + b,
      );
    const order = ids.map((_, i) => i).sort((a, b) => cosine(0, b) - cosine(0, a));
    const reference = order.findIndex((i) => lemmas[i][0] === 'word3') + 1;
    expect(checks.results[0]).toMatchObject({ rank: reference, pass: reference <= 5 });
    expect(checks.results[0].top).toEqual(order.slice(0, 5).map((i) => ids[i]));
    expect(checks.results[1]).toMatchObject({ rank: 1, pass: true });
    expect(checks.results[1].top[0]).toBe('n7');
    expect(checks.results[2]).toMatchObject({ rank: null, pass: false });
    expect(checks.passed).toBe(1 + Number(reference <= 5));
  });

  it('ranks as the served lexical rerank orders: the nearest entries by cosine + weighted BM25, the rest by cosine', () => {
    const random = mulberry32(5);
    const dim = 8;
    const items = 300;
    const vectors = unitRows(items, dim, random);
    const ids = Array.from({ length: items }, (_, i) => `n${i}`);
    const queries = unitRows(1, dim, random);
    const cosine = (i: number) =>
      Array.from({ length: dim }, (_, d) => queries[d] * vectors[i * dim + d]).reduce((a, b) => a + b);
    const byCosine = ids.map((_, i) => i).sort((a, b) => cosine(b) - cosine(a));
    // The words of the query sit in entries at cosine ranks 30 and 200 (beyond the rerank's depth).
    const lifted = byCosine[29];
    const deep = byCosine[199];
    const texts = ids.map((id, i) =>
      i === lifted || i === deep ? `thermometer device ${id}` : `entry ${id}`,
    );
    const lemmas = ids.map((_, i) => [i === lifted ? 'near' : i === deep ? 'far' : `word${i}`]);
    const spec = {
      k: 5,
      queries: [
        { query: 'device thermometer', expect: 'near' },
        { query: 'device thermometer', expect: 'far' },
      ],
    };
    const catalogue = { ids, lemmas, texts, vectors, dim };
    const [vectorChecks, checks] = checkCatalogueQueries(
      'test.json',
      spec,
      new Float32Array([...queries, ...queries]),
      catalogue,
      ['vector', 'lexical'],
    );

    const nearest = byCosine.slice(0, LEXICAL_RERANK_DEPTH);
    const bm25 = bm25Scores(
      'device thermometer',
      nearest.map((i) => texts[i]),
    );
    const fused = nearest.map((i, j) => ({
      i,
      score: cosine(i) + (LEXICAL_WEIGHT * bm25[j]) / Math.max(...bm25),
    }));
    const reference = fused.sort((a, b) => b.score - a.score).findIndex(({ i }) => i === lifted) + 1;
    expect(reference).toBeLessThan(30);
    expect(checks.results[0].rank).toBe(reference);
    expect(checks.results[1].rank).toBe(200);
    expect(vectorChecks.results.map((r) => r.rank)).toEqual([30, 200]);
    const [vectorAlone] = checkCatalogueQueries(
      'test.json',
      spec,
      new Float32Array([...queries, ...queries]),
      catalogue,
    );
    expect(vectorAlone).toEqual(vectorChecks);
  });

  it('ships the default queries, each with a lemma the WordNet catalogue has', () => {
    const spec = loadCatalogueQueries(DEFAULT_QUERIES);
    expect(spec.queries.length).toBeGreaterThanOrEqual(10);
    expect(spec.queries[0]).toEqual({ query: 'a domestic animal that barks', expect: 'dog' });
    const lemmas = new Set(loadWordNet().flatMap((s) => s.lemmas.map((l) => l.toLowerCase())));
    expect(spec.queries.filter((q) => !lemmas.has(q.expect.toLowerCase()))).toEqual([]);
  });

  it('names the file and the field of a bad query file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'queries-'));
    try {
      const path = join(dir, 'queries.json');
      writeFileSync(path, JSON.stringify({ queries: [{ query: 'a young cat' }] }));
      expect(() => loadCatalogueQueries(path)).toThrow(/queries\.json.*\n.*queries\.0\.expect/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
