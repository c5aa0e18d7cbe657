import { describe, expect, it } from 'vitest';
import { pearson, spearman } from './correlation.ts';
import { averageRanks } from './ranks.ts';

describe('averageRanks', () => {
  it('gives tied values the mean of their ranks', () => {
    expect(Array.from(averageRanks([2, 4, 5, 4, 5]))).toEqual([1, 2.5, 4.5, 2.5, 4.5]);
    expect(Array.from(averageRanks([3, 3, 3]))).toEqual([2, 2, 2]);
  });
});

describe('pearson / spearman', () => {
  const x = [1, 2, 3, 4, 5];
  const y = [2, 4, 5, 4, 5];

  it('matches hand-computed values', () => {
    // x - 3 = [-2,-1,0,1,2], y - 4 = [-2,0,1,0,1]: sxy = 6, sxx = 10, syy = 6.
    expect(pearson(x, y)).toBeCloseTo(6 / Math.sqrt(60), 14);
    // ranks(y) = [1,2.5,4.5,2.5,4.5], minus 3 = [-2,-0.5,1.5,-0.5,1.5]: sxy = 7, syy = 9.
    expect(spearman(x, y)).toBeCloseTo(7 / Math.sqrt(90), 14);
  });

  it('sees any monotone relation as perfect rank correlation', () => {
    const cubes = x.map((v) => v ** 3);
    expect(spearman(x, cubes)).toBeCloseTo(1, 14);
    expect(pearson(x, cubes)).toBeLessThan(1);
    expect(
      spearman(
        x,
        cubes.map((v) => -v),
      ),
    ).toBeCloseTo(-1, 14);
  });

  it('is NaN for a constant input, as in scipy', () => {
    expect(pearson([0.1, 0.1, 0.1], [1, 2, 3])).toBeNaN();
    expect(spearman([1, 2, 3], [7, 7, 7])).toBeNaN();
  });

  it('rejects unequal lengths, fewer than two pairs and NaN', () => {
    expect(() => pearson([1, 2], [1])).toThrow(/lengths/);
    expect(() => pearson([1], [1])).toThrow(/at least 2/);
    expect(() => spearman([1, Number.NaN], [1, 2])).toThrow(/finite/);
  });
});
