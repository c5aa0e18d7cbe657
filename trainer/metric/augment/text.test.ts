import { describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../../shared/featurizer/text.ts';
import { tokenize } from '../../../shared/featurizer/tokenize.ts';
import { createRandom } from '../../../shared/random.ts';
import { dropFeatures, dropTokens, TextAugmentConfigSchema, textViews } from './text.ts';

const featurizer = createTextFeaturizer({ buckets: 4096 });
const TEXT = 'the quick brown fox jumps over the lazy dog near the river bank';

describe('token dropout', () => {
  it('keeps the featurizer tokens in order, dropping about `rate` of them and never all', () => {
    const tokens = tokenize(TEXT, 128, 48);
    const random = createRandom(1);
    let kept = 0;
    for (let i = 0; i < 200; i++) {
      const view = dropTokens(TEXT, featurizer, 0.3, random).split(' ');
      expect(view.length).toBeGreaterThan(0);
      let cursor = 0;
      for (const token of view) {
        cursor = tokens.indexOf(token, cursor);
        expect(cursor).toBeGreaterThanOrEqual(0);
        cursor++;
      }
      kept += view.length;
    }
    expect(Math.abs(kept / (200 * tokens.length) - 0.7)).toBeLessThan(0.05);
    expect(dropTokens('one', featurizer, 0.9, createRandom(2))).toBe('one');
  });
});

describe('feature dropout', () => {
  it('zeroes about `rate` of each row features, keeps one at least, and leaves the input alone', () => {
    const batch = featurizer.featurizeBatch([TEXT, 'ok']);
    const before = batch.weights.slice();
    const dropped = dropFeatures(batch, 0.5, createRandom(3));
    expect(batch.weights).toEqual(before);
    expect(dropped.ids).toEqual(batch.ids);
    const present = (w: Float32Array, row: number) =>
      Array.from(w.subarray(row * batch.length, (row + 1) * batch.length)).filter((v) => v > 0).length;
    const ratio = present(dropped.weights, 0) / present(batch.weights, 0);
    expect(ratio).toBeGreaterThan(0.35);
    expect(ratio).toBeLessThan(0.65);
    expect(
      present(dropFeatures(featurizer.featurizeBatch(['ok']), 0.9, createRandom(4)).weights, 0),
    ).toBeGreaterThan(0);
  });
});

describe('text views', () => {
  it('gives two different views of each text, reproducibly', () => {
    const config = TextAugmentConfigSchema.parse({ token_dropout: 0.2, feature_dropout: 0.2 });
    const [a, b] = textViews([TEXT, TEXT], featurizer, config, createRandom(5));
    expect(a.batch).toBe(2);
    expect(a.weights).not.toEqual(b.weights);
    const [again] = textViews([TEXT, TEXT], featurizer, config, createRandom(5));
    expect(again).toEqual(a);
  });
});
