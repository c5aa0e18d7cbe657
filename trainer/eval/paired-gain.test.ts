import { describe, expect, it } from 'vitest';
import { pairedGainOverSeeds } from './paired-gain.ts';

// Two-sided 95% Student t critical values (published tables), for the brute-force reference below.
const T_975 = new Map([
  [1, 12.7062047362],
  [2, 4.3026527297],
  [3, 3.1824463053],
]);

/** The formula written out: per seed, mean over its folds minus its better baseline; t interval over seeds. */
function reference(
  trained: number[][],
  raw: number[],
  untrained: number[],
): { mean: number; halfWidth: number } {
  const gains: number[] = [];
  for (let s = 0; s < trained.length; s++) {
    let sum = 0;
    for (const value of trained[s]) sum += value;
    gains.push(sum / trained[s].length - Math.max(raw[s], untrained[s]));
  }
  const n = gains.length;
  let mean = 0;
  for (const g of gains) mean += g / n;
  let squares = 0;
  for (const g of gains) squares += (g - mean) * (g - mean);
  const std = Math.sqrt(squares / (n - 1));
  return { mean, halfWidth: ((T_975.get(n - 1) as number) * std) / Math.sqrt(n) };
}

describe('pairedGainOverSeeds', () => {
  // Three seeds x two folds; the better baseline is raw pixels for seed 2, the untrained network otherwise.
  const trained = [
    [0.52, 0.5],
    [0.49, 0.53],
    [0.51, 0.515],
  ];
  const raw = [0.47, 0.47, 0.47];
  const untrained = [0.483, 0.457, 0.487];
  const runs = trained.flatMap((folds, s) => folds.map((map) => ({ seed: s + 1, test: { map } })));
  const baselines = raw.map((r, s) => ({ seed: s + 1, baselines: [{ map: r }, { map: untrained[s] }] }));

  it('averages the folds within a seed and takes a t interval over the seeds', () => {
    const { map } = pairedGainOverSeeds(runs, baselines, ['map']);
    const expected = reference(trained, raw, untrained);
    expect(map.n).toBe(3);
    expect(map.mean).toBeCloseTo(expected.mean, 14);
    expect(map.halfWidth).toBeCloseTo(expected.halfWidth, 9);
    // Hand check: gains per seed 0.027, 0.04, 0.0255; mean 0.0308333.
    expect(map.mean).toBeCloseTo(0.0308333333333333, 14);
  });

  it('does not depend on the order of the runs', () => {
    const shuffled = [runs[3], runs[0], runs[5], runs[2], runs[1], runs[4]];
    expect(pairedGainOverSeeds(shuffled, baselines, ['map'])).toEqual(
      pairedGainOverSeeds(runs, baselines, ['map']),
    );
  });

  it('has no interval with one seed, and refuses a seed without baselines', () => {
    const one = pairedGainOverSeeds(runs.slice(0, 2), baselines, ['map']);
    expect(one.map.n).toBe(1);
    expect(one.map.mean).toBeCloseTo(0.51 - 0.483, 14);
    expect(one.map.halfWidth).toBeNaN();
    expect(() => pairedGainOverSeeds(runs, baselines.slice(1), ['map'])).toThrow(/seed 1 has runs/);
  });
});
