import { describe, expect, it } from 'vitest';
import { recencyWeights, recentDistinct, userVector } from './user-vector.ts';

describe('recentDistinct', () => {
  it('keeps the last occurrence of each item and the most recent ones, oldest first', () => {
    expect(recentDistinct(['a', 'b', 'c', 'b', 'd'], 3)).toEqual(['c', 'b', 'd']);
    expect(recentDistinct(['a', 'a'], 5)).toEqual(['a']);
    expect(recentDistinct(Int32Array.of(1, 2, 3), 2)).toEqual([2, 3]);
    expect(recentDistinct([], 3)).toEqual([]);
  });
});

describe('userVector', () => {
  it('is normalize(mean of the item vectors @ kernel + bias)', () => {
    // mean = (2, 1); kernel swaps and doubles: (2, 4); + bias (1, -1) = (3, 3) -> (1/sqrt2, 1/sqrt2).
    const tower = { dim: 2, kernel: [0, 2, 2, 0], bias: [1, -1], recencyDecay: 1 };
    const vector = userVector([Float32Array.of(3, 0), Float32Array.of(1, 2)], tower);
    expect(Array.from(vector)).toEqual([expect.closeTo(Math.SQRT1_2, 6), expect.closeTo(Math.SQRT1_2, 6)]);
  });

  it('weighs the newest item 1 and each older one `recencyDecay` times the next', () => {
    expect(Array.from(recencyWeights(3, 0.5))).toEqual([0.25, 0.5, 1]);
    const tower = { dim: 2, kernel: [1, 0, 0, 1], bias: [0, 0], recencyDecay: 0.5 };
    // Weighted mean (1*1/3, 1*2/3): the direction (1, 2).
    const vector = userVector([Float32Array.of(1, 0), Float32Array.of(0, 1)], tower);
    expect(Array.from(vector)).toEqual([1 / Math.sqrt(5), 2 / Math.sqrt(5)].map((v) => expect.closeTo(v, 6)));
  });

  it('refuses no items, or items of the wrong size', () => {
    const tower = { dim: 2, kernel: [1, 0, 0, 1], bias: [0, 0], recencyDecay: 1 };
    expect(() => userVector([], tower)).toThrow(/at least one item/);
    expect(() => userVector([Float32Array.of(1, 2, 3)], tower)).toThrow(/3 values, expected 2/);
  });
});
