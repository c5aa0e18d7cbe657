import { describe, expect, it } from 'vitest';
import {
  bm25Scores,
  LEXICAL_RERANK_DEPTH,
  LEXICAL_WEIGHT,
  lexicalTerms,
  rerankLexically,
} from './lexical-rerank.ts';

/**
 * Okapi BM25 written out term by term from Robertson and Zaragoza (2009), eq. 3.15, with Lucene's
 * IDF log(1 + (N - n + 0.5) / (n + 0.5)): the reference the module's version must equal.
 */
function referenceBm25(query: string, texts: (string | null)[], k1 = 1.2, b = 0.75): number[] {
  const split = (s: string) =>
    s
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
  const docs = texts.map((t) => split(t ?? ''));
  const avgdl = docs.reduce((sum, d) => sum + d.length, 0) / docs.length;
  const terms = Array.from(new Set(split(query)));
  return docs.map((doc) => {
    let score = 0;
    for (const term of terms) {
      let n = 0;
      for (const other of docs) if (other.includes(term)) n++;
      let f = 0;
      for (const word of doc) if (word === term) f++;
      const idf = Math.log(1 + (docs.length - n + 0.5) / (n + 0.5));
      score += (idf * (f * (k1 + 1))) / (f + k1 * (1 - b + (b * doc.length) / avgdl));
    }
    return score;
  });
}

const TEXTS = [
  'dog, domestic dog: a member of the genus Canis that has been domesticated; "the dog barked all night"',
  'domestic animal: any of various animals that have been tamed and made fit for a human environment',
  'bark: tough protective covering of the woody stems and roots of trees',
  'Barks, barks, BARKS! the puppy barks',
  null,
  'stray: a domestic animal that has wandered away and is lost',
  '東京 タワー tower 2024',
];

describe('bm25Scores', () => {
  it('equals BM25 written from its formula, for several queries', () => {
    for (const query of [
      'a domestic animal that barks',
      'BARKS bark',
      'tower 2024 東京',
      'nothing here',
      '',
    ]) {
      const got = bm25Scores(query, TEXTS);
      const want = referenceBm25(query, TEXTS);
      got.forEach((score, i) => expect(score).toBeCloseTo(want[i], 12));
    }
  });

  it('counts repeated query words once and scores a missing text 0', () => {
    expect(bm25Scores('barks barks', TEXTS)).toEqual(bm25Scores('barks', TEXTS));
    expect(bm25Scores('barks', TEXTS)[4]).toBe(0);
    expect(bm25Scores('barks', TEXTS)[3]).toBeGreaterThan(0);
  });

  it('tokenizes on letters and digits in any script, lower-cased', () => {
    expect(lexicalTerms('Canis familiaris (the "dog"), 2x; 東京-タワー')).toEqual([
      'canis',
      'familiaris',
      'the',
      'dog',
      '2x',
      '東京',
      'タワー',
    ]);
  });
});

describe('rerankLexically', () => {
  const hits = TEXTS.map((text, i) => ({ id: `h${i}`, score: 0.5 - i * 0.01, text }));

  it('orders by cosine + weight x normalised BM25, keeps the cosine as the score', () => {
    const query = 'a domestic animal that barks';
    const bm25 = referenceBm25(query, TEXTS);
    const best = Math.max(...bm25);
    const want = hits
      .map((hit, i) => ({ id: hit.id, fused: hit.score + (LEXICAL_WEIGHT * bm25[i]) / best }))
      .sort((a, b) => b.fused - a.fused)
      .map((h) => h.id);
    const reranked = rerankLexically(query, hits);
    expect(reranked.map((h) => h.id)).toEqual(want);
    for (const hit of reranked) {
      const i = Number(hit.id.slice(1));
      expect(hit.score).toBe(hits[i].score);
      expect(hit.lexical_score).toBeCloseTo(bm25[i] / best, 12);
    }
    expect(Math.max(...reranked.map((h) => h.lexical_score ?? 0))).toBe(1);
  });

  it('lifts a candidate that holds the query words above closer ones that do not', () => {
    const close = [
      { id: 'near', score: 0.8, text: 'a cat that sits on a mat' },
      { id: 'far', score: 0.75, text: 'thermometer: device for measuring temperature' },
    ];
    expect(rerankLexically('device for measuring temperature', close).map((h) => h.id)).toEqual([
      'far',
      'near',
    ]);
  });

  it('reorders only the nearest LEXICAL_RERANK_DEPTH; deeper hits follow in cosine order, unscored', () => {
    const many = Array.from({ length: LEXICAL_RERANK_DEPTH + 20 }, (_, i) => ({
      id: `m${i}`,
      score: 1 - i / 1000,
      text: i === 3 || i === LEXICAL_RERANK_DEPTH + 5 ? 'device for measuring temperature' : `entry ${i}`,
    }));
    const reranked = rerankLexically('measuring temperature', many);
    expect(reranked[0].id).toBe('m3');
    expect(reranked.slice(LEXICAL_RERANK_DEPTH).map((h) => h.id)).toEqual(
      many.slice(LEXICAL_RERANK_DEPTH).map((h) => h.id),
    );
    expect(reranked.slice(LEXICAL_RERANK_DEPTH).every((h) => h.lexical_score === undefined)).toBe(true);
    // The page's own depth does not matter: the first 50 are reranked the same way.
    const shallow = rerankLexically('measuring temperature', many.slice(0, LEXICAL_RERANK_DEPTH));
    expect(reranked.slice(0, LEXICAL_RERANK_DEPTH)).toEqual(shallow);
  });

  it('keeps the vector order when no candidate shares a word with the query', () => {
    const reranked = rerankLexically('zzz qqq', hits);
    expect(reranked.map((h) => h.id)).toEqual(hits.map((h) => h.id));
    expect(reranked.every((h) => h.lexical_score === 0)).toBe(true);
    expect(rerankLexically('anything', [])).toEqual([]);
  });
});
