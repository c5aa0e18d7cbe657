import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { murmur3String } from './murmur3.ts';
import { createTextFeaturizer, TEXT_FEATURIZER_VERSION } from './text.ts';
import { tokenize } from './tokenize.ts';

const GOLDEN = new URL('./text.golden.json', import.meta.url);

// Fixed inputs whose exact features are pinned: any change to normalisation, tokenisation or hashing
// shows up here and must come with a new featurizer version.
const GOLDEN_INPUTS: Record<string, string> = {
  ascii: 'A domestic animal that barks',
  accents: 'Crème brûlée, naïve café — Ångström',
  emoji: 'I love pizza 🍕🍕 and 👍🏽 thumbs',
  cjk: '東京タワーは高い tower',
  empty: '',
  punctuation: '!!! ... ??? --- ;;; ,,, ()[]{}',
  fullwidth: 'ＦＵＬＬ ｗｉｄｔｈ ﬁne',
  long: 'lorem ipsum dolor sit amet '.repeat(3800).slice(0, 100_000),
};

function goldenOutput() {
  const featurizer = createTextFeaturizer();
  return {
    version: TEXT_FEATURIZER_VERSION,
    config: featurizer.config,
    outputs: Object.fromEntries(
      Object.entries(GOLDEN_INPUTS).map(([name, text]) => {
        const { ids, weights } = featurizer.featurize(text);
        return [name, { ids: Array.from(ids), weights: Array.from(weights) }];
      }),
    ),
  };
}

describe('murmur3', () => {
  it('matches the reference MurmurHash3_x86_32 test vectors', () => {
    expect(murmur3String('', 0)).toBe(0);
    expect(murmur3String('', 1)).toBe(0x514e28b7);
    expect(murmur3String('hello', 0)).toBe(0x248bfa47);
    expect(murmur3String('ab', 0)).toBe(0x9bbfd75f);
    expect(murmur3String('abc', 0)).toBe(0xb3dd93fa);
    expect(murmur3String('The quick brown fox jumps over the lazy dog', 0)).toBe(0x2e4ff723);
  });
});

describe('tokenize', () => {
  it('applies NFKC and lower-cases', () => {
    expect(tokenize('ＦＵＬＬ ﬁne Ⅻ', 100, 100)).toEqual(['full', 'fine', 'xii']);
  });
  it('keeps accented words whole and drops punctuation', () => {
    expect(tokenize('Crème-brûlée, naïve!', 100, 100)).toEqual(['crème', 'brûlée', 'naïve']);
  });
  it('splits CJK into characters and keeps emoji as tokens', () => {
    expect(tokenize('東京タワーabc 😀!', 100, 100)).toEqual(['東', '京', 'タ', 'ワ', 'ー', 'abc', '😀']);
    expect(tokenize('東京。「高い」、', 100, 100)).toEqual(['東', '京', '高', 'い']);
  });
  it('bounds the number and length of tokens', () => {
    expect(tokenize('one two three four', 2, 100)).toEqual(['one', 'two']);
    expect(tokenize('abcdefgh', 10, 3)).toEqual(['abc']);
  });
  it('returns nothing for empty or punctuation-only text', () => {
    expect(tokenize('', 10, 10)).toEqual([]);
    expect(tokenize('?!... ---', 10, 10)).toEqual([]);
  });
});

describe('text featurizer', () => {
  it('names the features of a short text exactly', () => {
    const names = createTextFeaturizer()
      .explain('A dog')
      .map((f) => f.feature);
    expect(names).toEqual([
      'w:a',
      'b:a dog',
      'c:<a>',
      'w:dog',
      'c:<do',
      'c:dog',
      'c:og>',
      'c:<dog',
      'c:dog>',
      'c:<dog>',
    ]);
  });

  it('hashes each feature name into its bucket with the configured seed', () => {
    const featurizer = createTextFeaturizer({ buckets: 1000, seed: 42 });
    for (const { feature, id } of featurizer.explain('hashing is stable')) {
      expect(id).toBe(murmur3String(feature, 42) % 1000);
    }
  });

  it('sums the weights of repeated features', () => {
    const featurizer = createTextFeaturizer({ charNgrams: null, wordBigrams: false });
    const { ids, weights } = featurizer.featurize('dog dog dog cat');
    expect(ids.length).toBe(2);
    expect(Array.from(weights)).toEqual([3, 1]);
  });

  it('applies per-family weights', () => {
    const featurizer = createTextFeaturizer({ weights: { word: 2, bigram: 0, char: 0.5 } });
    const named = featurizer.explain('ab');
    expect(named.find((f) => f.feature === 'w:ab')?.weight).toBe(2);
    expect(named.find((f) => f.feature === 'c:<ab>')?.weight).toBe(0.5);
    expect(named.some((f) => f.feature.startsWith('b:'))).toBe(false);
  });

  it('pads a batch with zero weights and keeps at least one column', () => {
    const featurizer = createTextFeaturizer();
    const batch = featurizer.featurizeBatch(['', 'a dog']);
    expect(batch.batch).toBe(2);
    expect(batch.length).toBe(featurizer.featurize('a dog').ids.length);
    expect(Array.from(batch.weights.subarray(0, batch.length)).every((w) => w === 0)).toBe(true);
    expect(featurizer.featurizeBatch(['']).length).toBe(1);
  });

  it('rejects an invalid config with the field named', () => {
    expect(() => createTextFeaturizer({ buckets: 3 })).toThrow(/buckets/);
    expect(() => createTextFeaturizer({ charNgrams: { min: 5, max: 3 } })).toThrow(/charNgrams/);
  });

  it('produces exactly the pinned golden output', () => {
    const actual = goldenOutput();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(actual)}\n`);
    const expected = JSON.parse(readFileSync(GOLDEN, 'utf8'));
    expect(actual).toEqual(expected);
  });

  it('bounds the work on a 100 kB string', () => {
    const { ids } = createTextFeaturizer().featurize(GOLDEN_INPUTS.long);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(200);
  });
});
