import { describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { bucketDocumentFrequency, idfDocuments, scaleRowsByIdf } from './idf-init.ts';

const texts = ['a dog that barks', 'dog', 'domestic dog', 'the cat sleeps', 'cat'];
const lemmas = new Set(['dog', 'domestic dog', 'cat']);

describe('the IDF initialisation', () => {
  it("counts every training text, or with 'sentences' the texts that are not lemmas", () => {
    expect(idfDocuments(texts, true, lemmas)).toEqual(texts);
    expect(idfDocuments(texts, 'sentences', lemmas)).toEqual(['a dog that barks', 'the cat sleeps']);
  });

  it("scales each row by scikit-learn's smoothed IDF of its bucket over those documents", () => {
    const featurizer = createTextFeaturizer({ buckets: 4096, wordBigrams: false, charNgrams: null });
    const documents = idfDocuments(texts, 'sentences', lemmas);
    const df = bucketDocumentFrequency(featurizer, documents);
    const dog = featurizer.featurize('dog').ids[0];
    expect(df[dog]).toBe(1); // 3 of the 5 texts hold "dog", one of them a sentence
    const dim = 3;
    const weights = {
      table: new Float32Array(4096 * dim).fill(1),
      kernel: new Float32Array(dim * dim),
      bias: new Float32Array(dim),
      buckets: 4096,
      embeddingDim: dim,
      outputDim: dim,
    };
    scaleRowsByIdf(weights, df, documents.length);
    const idf = Math.log((1 + 2) / (1 + 1)) + 1;
    expect([...weights.table.subarray(dog * dim, (dog + 1) * dim)]).toEqual(
      Array(dim).fill(Math.fround(idf)),
    );
  });
});
