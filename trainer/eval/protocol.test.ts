import { describe, expect, it } from 'vitest';
import {
  classDisjointFolds,
  formatMeanWithCI,
  itemsOfClasses,
  meanWithCI95,
  summariseRuns,
} from './protocol.ts';
import { studentTCritical } from './student-t.ts';

describe('classDisjointFolds', () => {
  it('trains on the first half of the classes and tests on the second', () => {
    const labels = [9, 3, 0, 5, 1, 7, 2, 8, 6, 4, 4, 0];
    const plan = classDisjointFolds(labels, { folds: 2, seeds: [11, 12] });
    expect(plan.trainClasses).toEqual([0, 1, 2, 3, 4]);
    expect(plan.testClasses).toEqual([5, 6, 7, 8, 9]);
    expect(plan.runs.map((r) => [r.seed, r.fold, r.validationClasses, r.trainClasses])).toEqual([
      [11, 0, [0, 1, 2], [3, 4]],
      [11, 1, [3, 4], [0, 1, 2]],
      [12, 0, [0, 1, 2], [3, 4]],
      [12, 1, [3, 4], [0, 1, 2]],
    ]);
  });

  it('gives training the larger half of an odd number of classes, and 4 folds by default', () => {
    const labels = Array.from({ length: 11 }, (_, i) => i);
    const plan = classDisjointFolds(labels);
    expect(plan.trainClasses).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plan.runs).toHaveLength(4);
    expect(plan.runs.flatMap((r) => r.validationClasses).sort()).toEqual(plan.trainClasses);
  });

  it('selecting on images: every run trains on all the training classes, one run per fold and seed', () => {
    const labels = Array.from({ length: 10 }, (_, i) => i);
    const plan = classDisjointFolds(labels, { folds: 6, seeds: [1, 2], selectOn: 'images' });
    expect(plan.testClasses).toEqual([5, 6, 7, 8, 9]);
    expect(plan.runs).toHaveLength(12);
    for (const run of plan.runs) {
      expect(run.trainClasses).toEqual([0, 1, 2, 3, 4]);
      expect(run.validationClasses).toEqual([0, 1, 2, 3, 4]);
    }
    expect(plan.runs.map((r) => r.fold)).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  });

  it('refuses splits that cannot be class-disjoint', () => {
    expect(() => classDisjointFolds([1, 1, 1])).toThrow(/at least 2 classes/);
    expect(() => classDisjointFolds([0, 1, 2, 3], { folds: 4 })).toThrow(/training classes/);
  });

  it('selects the items of given classes', () => {
    expect(Array.from(itemsOfClasses([5, 1, 5, 2, 1], [1, 2]))).toEqual([1, 3, 4]);
  });
});

describe('meanWithCI95', () => {
  it('uses the Student t critical value', () => {
    // Published two-sided 95% critical values.
    expect(studentTCritical(0.95, 1)).toBeCloseTo(12.7062047362, 9);
    expect(studentTCritical(0.95, 2)).toBeCloseTo(4.3026527297, 9);
    expect(studentTCritical(0.95, 4)).toBeCloseTo(2.7764451052, 9);
    expect(studentTCritical(0.95, 29)).toBeCloseTo(2.0452296421, 9);
    const summary = meanWithCI95([1, 2, 3, 4, 5]);
    expect(summary.mean).toBe(3);
    expect(summary.std).toBeCloseTo(Math.sqrt(2.5), 14);
    expect(summary.halfWidth).toBeCloseTo((2.7764451052 * Math.sqrt(2.5)) / Math.sqrt(5), 9);
    expect(summary.high - summary.low).toBeCloseTo(2 * summary.halfWidth, 14);
  });

  it('has no interval for a single value', () => {
    expect(meanWithCI95([0.7])).toMatchObject({ n: 1, mean: 0.7, std: 0 });
    expect(meanWithCI95([0.7]).halfWidth).toBeNaN();
  });

  it('summarises every metric across runs', () => {
    const summary = summariseRuns([
      { map: 0.5, p1: 0.6 },
      { map: 0.7, p1: 0.8 },
    ]);
    expect(summary.map.mean).toBeCloseTo(0.6, 14);
    expect(summary.p1.n).toBe(2);
  });

  it('formats a mean with its interval, or alone when there is none', () => {
    expect(formatMeanWithCI(meanWithCI95([0.5, 0.52]))).toBe('0.5100 ± 0.1271');
    expect(formatMeanWithCI(meanWithCI95([0.01, 0.03]), { digits: 2, signed: true })).toBe('+0.02 ± 0.13');
    expect(formatMeanWithCI(meanWithCI95([-0.25]), { signed: true })).toBe('-0.2500');
  });
});
