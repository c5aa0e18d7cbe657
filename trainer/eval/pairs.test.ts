import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  bestAccuracyThreshold,
  bestF1Threshold,
  nextUp,
  pairMetrics,
  rocAuc,
  thresholdForPrecision,
} from './pairs.ts';

/**
 * Six pairs, one tie across classes (0.8). Sweeping thresholds from the top (score >= t is "match"):
 *   t     tp fp  precision recall accuracy  F1
 *   0.9   1  0   1         1/3    4/6       2/4
 *   0.8   2  1   2/3       2/3    4/6       4/6
 *   0.6   3  1   3/4       1      5/6       6/7
 *   0.4   3  2   3/5       1      4/6       6/8
 *   0.3   3  3   1/2       1      3/6       6/9
 */
const scores = [0.9, 0.8, 0.8, 0.6, 0.4, 0.3];
const matches = [1, 1, 0, 1, 0, 0];

describe('pair decisions', () => {
  it('ROC-AUC counts a tie as half a win (sklearn roc_auc_score)', () => {
    // Of 9 (match, non-match) pairs: 0.9 wins 3; 0.8 ties 1 and wins 2; 0.6 wins 2 -> 7.5 / 9.
    expect(rocAuc(scores, matches)).toBeCloseTo(7.5 / 9, 14);
    // The example in sklearn's documentation.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 14);
  });

  it('average precision sums precision x recall increments over distinct thresholds (sklearn)', () => {
    expect(averagePrecision(scores, matches)).toBeCloseTo(1 / 3 + (1 / 3) * (2 / 3) + (1 / 3) * (3 / 4), 14);
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.8333333333, 9);
  });

  it('finds the best accuracy and F1 thresholds', () => {
    expect(bestAccuracyThreshold(scores, matches)).toMatchObject({ threshold: 0.6, accuracy: 5 / 6 });
    const f1 = bestF1Threshold(scores, matches);
    expect(f1.threshold).toBe(0.6);
    expect(f1.f1).toBeCloseTo(6 / 7, 14);
    expect(f1).toMatchObject({ precision: 3 / 4, recall: 1 });
  });

  it('prefers the highest threshold among equally good ones, including "nothing matches"', () => {
    // Predicting nothing and predicting both are both 1/2 accurate; nothing is the higher threshold.
    const choice = bestAccuracyThreshold([0.7, 0.3], [0, 1]);
    expect(choice.accuracy).toBe(0.5);
    expect(choice.threshold).toBeGreaterThan(0.7);
    expect(choice.threshold).toBe(nextUp(0.7));
  });

  it('calibrates the smallest threshold reaching a target precision', () => {
    // Precision is not monotone: 0.8 misses 0.75 but the lower 0.6 reaches it (with full recall).
    expect(thresholdForPrecision(scores, matches, 0.75)).toMatchObject({
      threshold: 0.6,
      precision: 3 / 4,
      recall: 1,
    });
    expect(thresholdForPrecision(scores, matches, 0.9)).toMatchObject({
      threshold: 0.9,
      precision: 1,
      recall: 1 / 3,
    });
    expect(thresholdForPrecision([0.9, 0.1], [0, 1], 0.9)).toBeNull();
    expect(() => thresholdForPrecision(scores, matches, 0)).toThrow(/target precision/);
  });

  it('reports everything at once', () => {
    const all = pairMetrics(scores, matches);
    expect(all.rocAuc).toBeCloseTo(7.5 / 9, 14);
    expect(all.bestAccuracy.threshold).toBe(0.6);
  });

  it('refuses inputs on which the metrics are undefined', () => {
    expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrow(/both/);
    expect(() => averagePrecision([0.1, 0.2], [0, 0])).toThrow(/matching/);
    expect(() => rocAuc([0.1, 0.2], [1, 2])).toThrow(/expected 1\/0/);
    expect(() => rocAuc([0.1], [1, 0])).toThrow(/labels/);
  });

  it('nextUp steps to the adjacent float64', () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-1)).toBeGreaterThan(-1);
    expect(nextUp(-1)).toBe(-1 + Number.EPSILON / 2);
  });
});
