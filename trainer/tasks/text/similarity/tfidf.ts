/**
 * The lexical baselines every result is reported beside: TF-IDF cosine, as scikit-learn's
 * `TfidfVectorizer` computes it with its defaults (lowercase, raw counts, smooth_idf, l2 norm):
 *   idf(t) = ln((1 + n) / (1 + df(t))) + 1, vector = counts x idf, L2-normalised.
 * The vocabulary and IDF come from the fit documents; at transform, terms outside the vocabulary are
 * dropped (sklearn's behaviour), so a text with no known term is the zero vector and scores 0.
 */
export type TfidfAnalyzer = 'word' | 'char_wb';

export interface TfidfOptions {
  /** 'word': sklearn's default token_pattern `(?u)\b\w\w+\b`; 'char_wb': n-grams inside space-padded words. */
  analyzer: TfidfAnalyzer;
  /** Inclusive n-gram range (sklearn's ngram_range). */
  ngramRange: readonly [number, number];
}

/** A fitted vectorizer: sparse unit vectors as term index -> weight. */
export interface TfidfModel {
  readonly vocabularySize: number;
  transform(text: string): Map<number, number>;
}

// Python's \w in Unicode mode: letters, any numeric character, and the underscore (marks are not \w).
const WORD_RUN = /[\p{L}\p{N}_]+/gu;

/** sklearn's `_word_ngrams` over `(?u)\b\w\w+\b` tokens: runs of 2 or more word characters. */
function wordNgrams(text: string, [minN, maxN]: readonly [number, number]): string[] {
  const tokens = (text.toLowerCase().match(WORD_RUN) ?? []).filter((t) => Array.from(t).length >= 2);
  const grams: string[] = [];
  for (let n = minN; n <= maxN; n++) {
    for (let start = 0; start + n <= tokens.length; start++)
      grams.push(tokens.slice(start, start + n).join(' '));
  }
  return grams;
}

// Python's str.split() whitespace (str.isspace): unlike JS's \s it includes \x1c-\x1f and \x85 and
// excludes \ufeff.
// biome-ignore lint/suspicious/noControlCharactersInRegex: \x1c-\x1f are separators Python splits on.
const PYTHON_WHITESPACE = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

/**
 * sklearn's `_char_wb_ngrams`: each whitespace-separated word padded with one space on both sides. Once a
 * padded word fits in one n-gram (it has n or fewer characters) it is emitted once and larger n add nothing.
 */
function charWbNgrams(text: string, [minN, maxN]: readonly [number, number]): string[] {
  const grams: string[] = [];
  for (const word of text.toLowerCase().split(PYTHON_WHITESPACE)) {
    if (word === '') continue;
    const points = Array.from(` ${word} `);
    for (let n = minN; n <= maxN; n++) {
      let offset = 0;
      grams.push(points.slice(offset, offset + n).join(''));
      while (offset + n < points.length) {
        offset++;
        grams.push(points.slice(offset, offset + n).join(''));
      }
      if (offset === 0) break;
    }
  }
  return grams;
}

export function analyze(text: string, options: TfidfOptions): string[] {
  return options.analyzer === 'word'
    ? wordNgrams(text, options.ngramRange)
    : charWbNgrams(text, options.ngramRange);
}

export function fitTfidf(documents: readonly string[], options: TfidfOptions): TfidfModel {
  const indexOf = new Map<string, number>();
  const documentFrequency: number[] = [];
  for (const document of documents) {
    for (const term of new Set(analyze(document, options))) {
      let index = indexOf.get(term);
      if (index === undefined) {
        index = documentFrequency.length;
        indexOf.set(term, index);
        documentFrequency.push(0);
      }
      documentFrequency[index] += 1;
    }
  }
  const n = documents.length;
  const idf = Float64Array.from(documentFrequency, (df) => Math.log((1 + n) / (1 + df)) + 1);

  return {
    vocabularySize: idf.length,
    transform(text) {
      const vector = new Map<number, number>();
      for (const term of analyze(text, options)) {
        const index = indexOf.get(term);
        if (index !== undefined) vector.set(index, (vector.get(index) ?? 0) + idf[index]);
      }
      let squares = 0;
      for (const value of vector.values()) squares += value * value;
      const norm = Math.sqrt(squares);
      if (norm > 0) for (const [index, value] of vector) vector.set(index, value / norm);
      return vector;
    },
  };
}

/** Cosine of two unit sparse vectors (their dot product); 0 when either is empty. */
export function sparseCosine(a: Map<number, number>, b: Map<number, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [index, value] of small) sum += value * (large.get(index) ?? 0);
  return sum;
}

/** The two baselines the issue names: word unigrams, and character 3- to 5-grams within word boundaries. */
export const TFIDF_BASELINES = {
  tfidf_word: { analyzer: 'word', ngramRange: [1, 1] },
  tfidf_char: { analyzer: 'char_wb', ngramRange: [3, 5] },
} as const satisfies Record<string, TfidfOptions>;
