import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../featurizer/index.ts';
import { padFeatures, planSubBatches } from './sub-batches.ts';

const limits = { runOverheadCells: 512, maxPaddedCells: 4096 };
const paddedCells = (counts: number[], group: number[]) =>
  group.length * Math.max(1, ...group.map((i) => counts[i]));

describe('planSubBatches', () => {
  it('puts every index in exactly one group and keeps each group under the cell cap', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 200 }), (counts) => {
        const groups = planSubBatches(counts, limits);
        expect(groups.flat().sort((a, b) => a - b)).toEqual(counts.map((_, i) => i));
        for (const group of groups) {
          expect(group.length).toBeGreaterThan(0);
          // A single text longer than the cap still has to run, alone.
          if (group.length > 1) expect(paddedCells(counts, group)).toBeLessThanOrEqual(limits.maxPaddedCells);
        }
      }),
    );
  });

  it('keeps texts of similar length in one run', () => {
    expect(planSubBatches([10, 12, 0, 11, 9], limits)).toEqual([[2, 4, 0, 3, 1]]);
  });

  it('runs one long text separately instead of padding many short ones to its length', () => {
    const counts = [...Array.from({ length: 40 }, () => 20), 2000];
    const groups = planSubBatches(counts, limits);
    expect(groups).toEqual([Array.from({ length: 40 }, (_, i) => i), [40]]);
    const padded = groups.reduce((sum, group) => sum + paddedCells(counts, group), 0);
    expect(padded).toBeLessThan(
      paddedCells(
        counts,
        counts.map((_, i) => i),
      ) / 10,
    );
  });

  it('splits equal lengths only at the cell cap', () => {
    const groups = planSubBatches(
      Array.from({ length: 100 }, () => 100),
      limits,
    );
    expect(groups.map((g) => g.length)).toEqual([40, 40, 20]);
  });
});

describe('padFeatures', () => {
  it('lays out a batch exactly like the featurizer does', () => {
    const featurizer = createTextFeaturizer({ buckets: 1024 });
    const texts = ['short', '', 'a somewhat longer text with more features', '🎉'];
    expect(padFeatures(texts.map((t) => featurizer.featurize(t)))).toEqual(featurizer.featurizeBatch(texts));
    expect(padFeatures([featurizer.featurize('')])).toEqual(featurizer.featurizeBatch(['']));
  });
});
