import { describe, expect, it } from 'vitest';
import { parseTextConfig } from '../config.ts';
import { loadWordNetDataset } from '../data/wordnet-dataset.ts';
import { EVAL_SET_KIND, evalSetFromConfig, evaluationSynsets, wordnetSplits } from './frozen-eval.ts';

const config = (seed: number, data: Record<string, unknown> = {}) =>
  parseTextConfig(
    {
      name: 'tiny-text',
      seed,
      data: { source: 'wordnet', validation: 0.1, test: 0.1, limit: 2000, ...data },
      loss: { name: 'multiple_negatives_ranking' },
      train: {},
      index: { collection: 'tiny' },
    },
    'test',
  );

describe('the frozen evaluation set', () => {
  const splits = wordnetSplits();
  const first = config(3);
  const frozen = evalSetFromConfig(splits, first);

  it('is the held-out test split of the config it was chosen from', () => {
    const dataset = loadWordNetDataset({ seed: 3, ...first.data });
    expect(frozen.kind).toBe(EVAL_SET_KIND);
    expect(frozen.items).toEqual(dataset.test.map((s) => s.id).sort());
    expect(frozen.items).toHaveLength(200);
    expect(frozen.source).toMatch(/^held-out test synsets of tiny-text: seed 3/);
  });

  it('is used whole while the models compared never saw any of it', () => {
    const usable = evaluationSynsets(splits, frozen, [first, config(3)]);
    expect(usable).toMatchObject({ excluded: 0, missing: 0 });
    expect(usable.synsets.map((s) => s.id)).toEqual(frozen.items);
  });

  it('leaves out what a model with another split trained or validated on, and synsets gone from WordNet', () => {
    const other = config(4, { limit: 20_000 });
    const seen = splits.seen(other);
    const overlap = frozen.items.filter((id) => seen.has(id)).length;
    expect(overlap).toBeGreaterThan(0);
    const usable = evaluationSynsets(splits, { items: [...frozen.items, 'n99999999'] }, [first, other]);
    expect(usable).toMatchObject({ excluded: overlap, missing: 1 });
    expect(usable.synsets).toHaveLength(frozen.items.length - overlap);
    expect(usable.synsets.some((s) => seen.has(s.id))).toBe(false);
  });

  it('refuses a comparison when most of the set was trained on', () => {
    const other = config(4, { limit: 20_000 });
    const seen = frozen.items.filter((id) => splits.seen(other).has(id));
    expect(() => evaluationSynsets(splits, { items: seen }, [other])).toThrow(
      `only 0 of the ${seen.length} synsets of the frozen evaluation set are unseen by the models compared (${seen.length} trained`,
    );
  });
});
