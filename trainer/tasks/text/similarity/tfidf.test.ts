import { describe, expect, it } from 'vitest';
import { correlationMetrics, paraphraseMetrics, tfidfScorer } from './evaluate.ts';
import { analyze, fitTfidf, sparseCosine } from './tfidf.ts';

// Expected values worked out by hand from scikit-learn's definitions (feature_extraction/text.py).
describe('TF-IDF as scikit-learn computes it', () => {
  it('tokenises words as (?u)\\b\\w\\w+\\b: single characters and punctuation go', () => {
    expect(analyze("A cat's naïve_idea, 42!", { analyzer: 'word', ngramRange: [1, 1] })).toEqual([
      'cat',
      'naïve_idea',
      '42',
    ]);
  });

  it('builds char_wb n-grams inside space-padded words, a padded word that fits one n-gram once', () => {
    expect(analyze('ab', { analyzer: 'char_wb', ngramRange: [3, 5] })).toEqual([' ab', 'ab ', ' ab ']);
    expect(analyze('a', { analyzer: 'char_wb', ngramRange: [3, 5] })).toEqual([' a ']);
    expect(analyze('Dog  ', { analyzer: 'char_wb', ngramRange: [3, 3] })).toEqual([' do', 'dog', 'og ']);
  });

  it('weights counts by the smoothed IDF and L2-normalises', () => {
    const model = fitTfidf(['the cat sat', 'the dog sat'], { analyzer: 'word', ngramRange: [1, 1] });
    const vector = model.transform('the cat cat');
    // idf(the) = ln(3/3) + 1 = 1, idf(cat) = ln(3/2) + 1; counts 1 and 2.
    const cat = 2 * (Math.log(1.5) + 1);
    const length = Math.hypot(1, cat);
    const [the, cats] = [...vector.values()];
    expect(the).toBeCloseTo(1 / length, 12);
    expect(cats).toBeCloseTo(cat / length, 12);
    expect(model.vocabularySize).toBe(4);
  });

  it('drops terms outside the fitted vocabulary: an all-unknown text scores 0', () => {
    const model = fitTfidf(['red apples'], { analyzer: 'word', ngramRange: [1, 1] });
    expect(model.transform('blue sky').size).toBe(0);
    expect(sparseCosine(model.transform('blue sky'), model.transform('red apples'))).toBe(0);
  });

  it('scores identical texts 1 and disjoint ones 0', async () => {
    const scorer = tfidfScorer(['one two three', 'four five six'], { analyzer: 'word', ngramRange: [1, 1] });
    const scores = await scorer([
      { a: 'one two', b: 'one two', score: 5 },
      { a: 'one two', b: 'four five', score: 0 },
    ]);
    expect(scores[0]).toBeCloseTo(1, 12);
    expect(scores[1]).toBe(0);
  });
});

describe('benchmark metrics', () => {
  const pairs = [0, 1, 2, 3].map((score) => ({ a: '', b: '', score }));
  it('reports Spearman and Pearson x 100', () => {
    expect(correlationMetrics([0.1, 0.2, 0.3, 0.9], pairs).spearman).toBeCloseTo(100, 10);
    expect(correlationMetrics([0.9, 0.3, 0.2, 0.1], pairs).spearman).toBeCloseTo(-100, 10);
  });
  it('reports ROC-AUC for 0/1 labels', () => {
    const labelled = [0, 0, 1, 1].map((score) => ({ a: '', b: '', score }));
    expect(paraphraseMetrics([0.1, 0.6, 0.5, 0.9], labelled).roc_auc).toBe(0.75);
  });
});
