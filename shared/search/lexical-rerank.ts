/**
 * Lexical reranking of a search's nearest candidates, as the edge serves it (`"rerank": "lexical"`) and as
 * the trainer's catalogue check measures it: both must order hits identically.
 *
 * The vector search finds the candidates; BM25 over the candidates' own texts (Okapi BM25 with Lucene's
 * IDF, k1 = 1.2, b = 0.75, term statistics from the candidates alone, so no index of terms is kept
 * anywhere) adds what a bag-of-n-grams embedding averages away: an entry that contains the query's rarer
 * words. Each candidate is then ordered by its cosine + LEXICAL_WEIGHT x its BM25 divided by the best
 * candidate's BM25. Depth and weight were chosen on dictionary definitions asked of the default catalogue
 * (docs/text-similarity.md, "Lexical reranking").
 */

/** How many nearest candidates a lexical rerank reorders; deeper hits keep their cosine order. */
export const LEXICAL_RERANK_DEPTH = 50;
/** What the best lexical match adds to a cosine. */
export const LEXICAL_WEIGHT = 0.15;

const K1 = 1.2;
const B = 0.75;
const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased runs of letters and digits: the terms BM25 counts. */
export function lexicalTerms(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/**
 * BM25 of each text for the query's distinct terms, with document frequencies and the average length
 * taken over `texts` themselves; a null text (an item stored without one) scores 0.
 */
export function bm25Scores(query: string, texts: readonly (string | null)[]): number[] {
  const queryTerms = [...new Set(lexicalTerms(query))];
  const documents = texts.map((text) => countTerms(lexicalTerms(text ?? '')));
  const lengths = documents.map(({ length }) => length);
  const averageLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, documents.length);
  const idf = queryTerms.map((term) => {
    const frequency = documents.filter(({ counts }) => counts.has(term)).length;
    return Math.log(1 + (documents.length - frequency + 0.5) / (frequency + 0.5));
  });
  return documents.map(({ counts, length }) => {
    const norm = K1 * (1 - B + (B * length) / (averageLength || 1));
    return queryTerms.reduce((score, term, t) => {
      const f = counts.get(term) ?? 0;
      return f === 0 ? score : score + (idf[t] * f * (K1 + 1)) / (f + norm);
    }, 0);
  });
}

function countTerms(terms: readonly string[]): { counts: Map<string, number>; length: number } {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return { counts, length: terms.length };
}

/**
 * Hits in cosine order, best first, with their first LEXICAL_RERANK_DEPTH reordered by cosine +
 * LEXICAL_WEIGHT x lexical score and given their `lexical_score` (BM25 over the best of them, in [0, 1];
 * 0 for all when none shares a word with the query); ties keep the cosine order. Hits past the depth
 * follow in cosine order without a lexical score, so every page of one query agrees. `score` stays the
 * cosine.
 */
export function rerankLexically<Hit extends { score: number; text: string | null }>(
  query: string,
  hits: readonly Hit[],
): (Hit & { lexical_score?: number })[] {
  const nearest = hits.slice(0, LEXICAL_RERANK_DEPTH);
  const bm25 = bm25Scores(
    query,
    nearest.map((hit) => hit.text),
  );
  const best = Math.max(0, ...bm25);
  const scored = nearest.map((hit, i) => ({ ...hit, lexical_score: best > 0 ? bm25[i] / best : 0 }));
  const fused = (hit: Hit & { lexical_score: number }) => hit.score + LEXICAL_WEIGHT * hit.lexical_score;
  const reranked = scored
    .map((hit, i) => ({ hit, i }))
    .sort((a, b) => fused(b.hit) - fused(a.hit) || a.i - b.i)
    .map(({ hit }) => hit);
  return [...reranked, ...hits.slice(LEXICAL_RERANK_DEPTH)];
}
