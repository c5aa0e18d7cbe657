import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../shared/random.ts';
import { runPythonReference } from '../../../../test/reference/python.ts';
import { analyze, fitTfidf, sparseCosine, TFIDF_BASELINES } from './tfidf.ts';

/**
 * The reference: scikit-learn's TfidfVectorizer itself (Debian's python3-sklearn), run on generated texts
 * that mix the cases where tokenisers differ: one-letter and long words, runs of mixed whitespace
 * (Python's and JS's whitespace sets differ), punctuation, digits, accents and combining marks, Greek
 * capitals (final sigma), CJK, astral characters.
 */
const SCRIPT = `
import json, sys
from sklearn.feature_extraction.text import TfidfVectorizer
task = json.load(sys.stdin)
out = {}
for name, options in task["baselines"].items():
    vectorizer = TfidfVectorizer(analyzer=options["analyzer"], ngram_range=tuple(options["ngramRange"]))
    vectorizer.fit(task["fit"])
    analyzer = vectorizer.build_analyzer()
    a = vectorizer.transform([p[0] for p in task["pairs"]])
    b = vectorizer.transform([p[1] for p in task["pairs"]])
    out[name] = {
        "vocabulary": len(vectorizer.vocabulary_),
        "terms": [analyzer(text) for text in task["fit"]],
        "cosines": [float(x) for x in a.multiply(b).sum(axis=1).A.ravel()],
    }
json.dump(out, sys.stdout)
`;

const PIECES = [
  'a',
  'I',
  'ab',
  'cat',
  'Dog',
  'sat',
  'the',
  'mat',
  'running',
  'internationalisation',
  '42',
  '7',
  'x_y',
  'naïve',
  'café',
  'cafe\u0301',
  'ΣΟΦΟΣ',
  'Ἄρης',
  'İstanbul',
  '東京',
  '日本語',
  '😀',
  '𝒳yz',
  '½',
  "don't",
  'e-mail',
  'U.S.A.',
  '(hello)',
  '!?',
  '—',
  '"quoted"',
  'tab\tin',
  'Ⅻ',
  '٣٤',
  'ﬁne',
];
const SPACES = [
  ' ',
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  ' \r\n ',
  '\u00a0',
  '\u3000',
  '\u2009',
  '\x1c',
  '\x85',
  '\ufeff',
];

function texts(count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: Math.floor(random() * 9) }, () => pick(PIECES));
    return words.map((word) => word + pick(SPACES)).join('');
  });
}

describe('TF-IDF baselines against scikit-learn on generated text', () => {
  it('gives the same terms, vocabulary and pair cosines for both baselines', () => {
    const fit = texts(300, 1);
    const pairs = texts(400, 2).map((text, i, all) => [
      text,
      i % 4 === 0 ? fit[i % fit.length] : all[(i * 7 + 3) % all.length],
    ]);
    const reference = runPythonReference<
      Record<string, { vocabulary: number; terms: string[][]; cosines: number[] }>
    >(SCRIPT, { baselines: TFIDF_BASELINES, fit, pairs });

    for (const [name, options] of Object.entries(TFIDF_BASELINES)) {
      const expected = reference[name];
      fit.forEach((text, i) => {
        expect(analyze(text, options), `${name} terms of ${JSON.stringify(text)}`).toEqual(expected.terms[i]);
      });
      const model = fitTfidf(fit, options);
      expect(model.vocabularySize, name).toBe(expected.vocabulary);
      pairs.forEach(([a, b], i) => {
        const cosine = sparseCosine(model.transform(a), model.transform(b));
        expect(cosine, `${name} cosine of ${JSON.stringify([a, b])}`).toBeCloseTo(expected.cosines[i], 10);
      });
    }
  });
});
