import { describe, expect, it } from 'vitest';
import { createTextFeaturizer, type FeatureBatch, TextFeaturizerConfigSchema } from './text.ts';
import { tokenize } from './tokenize.ts';

const TEXTS = ['A domestic animal that barks', 'the the the', '東京タワー tower', '', 'x', '!!! ...'];

/** Summed weight per bucket id of row `b` of a batch, whatever its layout. */
function weightById(batch: FeatureBatch, b: number): Map<number, number> {
  const byId = new Map<number, number>();
  for (let l = 0; l < batch.length; l++) {
    const i = b * batch.length + l;
    if (batch.weights[i] !== 0) byId.set(batch.ids[i], (byId.get(batch.ids[i]) ?? 0) + batch.weights[i]);
  }
  return byId;
}

describe("the 'tokens' layout", () => {
  const config = { buckets: 4096, seed: 3 };
  const tokens = createTextFeaturizer({ ...config, layout: 'tokens' });
  const bag = createTextFeaturizer(config);

  it('leaves the bag layout untouched: the option is absent from a default config', () => {
    expect('layout' in TextFeaturizerConfigSchema.parse({})).toBe(false);
    expect(bag.featurizeBatch(['a b']).tokens).toBeUndefined();
  });

  it('holds, row by row, exactly the bag features with their summed weights', () => {
    const laid = tokens.featurizeBatch(TEXTS);
    const flat = bag.featurizeBatch(TEXTS);
    for (let b = 0; b < TEXTS.length; b++) {
      const expected = weightById(flat, b);
      const actual = weightById(laid, b);
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [id, w] of expected) expect(actual.get(id)).toBeCloseTo(w, 6);
    }
  });

  it("puts token t's own features in slot block t, in token order, padding with weight 0", () => {
    const laid = tokens.featurizeBatch(['dog bites man', 'man']);
    expect(laid.tokens).toBe(3);
    const slots = laid.length / laid.tokens!;
    const block = (b: number, t: number) => {
      const start = (b * laid.tokens! + t) * slots;
      const ids = new Set<number>();
      for (let s = start; s < start + slots; s++) if (laid.weights[s] > 0) ids.add(laid.ids[s]);
      return ids;
    };
    // Each token's block is that token alone featurized (its word, its char n-grams and its bigram with the next).
    const single = (text: string, next?: string) => {
      const ids = new Set(bag.featurize(text).ids);
      if (next) {
        const pair = bag.explain(`${text} ${next}`).find((f) => f.feature === `b:${text} ${next}`);
        ids.add(pair!.id);
      }
      return ids;
    };
    expect(block(0, 0)).toEqual(single('dog', 'bites'));
    expect(block(0, 1)).toEqual(single('bites', 'man'));
    expect(block(0, 2)).toEqual(single('man'));
    expect(block(1, 0)).toEqual(single('man'));
    expect(block(1, 1).size + block(1, 2).size).toBe(0);
  });

  it('gives a text as many tokens as the tokenizer, and an empty text one empty slot', () => {
    for (const text of TEXTS) {
      const laid = tokens.featurizeBatch([text]);
      expect(laid.tokens).toBe(Math.max(1, tokenize(text, 128, 48).length));
    }
    const empty = tokens.featurizeBatch(['']);
    expect([empty.length, empty.tokens, empty.weights[0]]).toEqual([1, 1, 0]);
  });
});
