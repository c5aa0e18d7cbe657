import { describe, expect, it } from 'vitest';
import { MIN_RUNS, pairedRatios, quantile, summarize, timeRounds } from './stats.ts';

describe('quantile', () => {
  it('interpolates linearly between closest ranks, as numpy.percentile does by default', () => {
    // np.percentile([1, 2, 3, 4], [0, 25, 50, 99, 100]) -> [1, 1.75, 2.5, 3.97, 4]
    const samples = [4, 1, 3, 2];
    expect(quantile(samples, 0)).toBe(1);
    expect(quantile(samples, 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile(samples, 0.5)).toBeCloseTo(2.5, 12);
    expect(quantile(samples, 0.99)).toBeCloseTo(3.97, 12);
    expect(quantile(samples, 1)).toBe(4);
  });

  it('of one sample is that sample', () => {
    expect(quantile([7], 0.99)).toBe(7);
  });

  it('rejects no samples and q outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(/no samples/);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('gives the median of an odd count, min, max, p99 and the number of runs', () => {
    // np.percentile(range(1, 102), 99) == 100.0
    const samples = Array.from({ length: 101 }, (_, i) => 101 - i);
    expect(summarize(samples)).toEqual({ median: 51, p50: 51, min: 1, max: 101, p99: 100, runs: 101 });
  });

  it('rejects NaN samples', () => {
    expect(() => summarize([1, Number.NaN])).toThrow(/finite/);
  });
});

describe('timeRounds', () => {
  it('runs every contender once per round, in order, and keeps only the rounds after warm-up', async () => {
    const calls: string[] = [];
    const samples = await timeRounds(
      { a: (round) => calls.push(`a${round}`), b: (round) => calls.push(`b${round}`) },
      { warmup: 1, repeats: 2 },
    );
    expect(calls).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
    expect(samples.a).toHaveLength(2);
    expect(samples.b).toHaveLength(2);
    expect(samples.a.every((ms) => ms >= 0)).toBe(true);
  });
});

describe('timeRounds with a time budget', () => {
  it('stops after the budget is spent but keeps at least MIN_RUNS measured runs', async () => {
    const busy = () => {
      const until = performance.now() + 2;
      while (performance.now() < until);
    };
    const samples = await timeRounds({ busy }, { warmup: 1, repeats: 50, budgetSeconds: 0.001 });
    expect(samples.busy).toHaveLength(MIN_RUNS);
  });
});

describe('pairedRatios', () => {
  it('divides round by round and refuses series of different lengths', () => {
    expect(pairedRatios([2, 9], [1, 3])).toEqual([2, 3]);
    expect(() => pairedRatios([1], [1, 2])).toThrow(/length/);
  });
});
