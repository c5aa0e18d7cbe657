import { z } from 'zod';
import { studentTCritical } from './student-t.ts';

/**
 * The class-disjoint protocol of Musgrave, Belongie and Lim, "A Metric Learning Reality Check" (ECCV 2020):
 * the first half of the classes (by increasing label; the larger half when the count is odd) trains, the
 * second half tests, so test classes are never seen in training. The training classes are cut into
 * `folds` contiguous class-disjoint partitions; each run trains on all but one and validates on it.
 * Every fold is repeated for every seed, and results are reported as mean and 95% confidence interval.
 * `selectOn: 'images'` keeps the test half unseen but selects on images instead of classes: every run trains
 * on all the training classes and holds out fold f of k slices of each class's images (k-fold
 * cross-validation over images); `validationClasses` are then the training classes themselves.
 */
export const ClassDisjointOptionsSchema = z
  .object({
    folds: z.number().int().min(2).default(4),
    seeds: z.array(z.number().int()).min(1).default([0]),
    selectOn: z.enum(['classes', 'images']).default('classes'),
  })
  .strict();
export type ClassDisjointOptions = z.input<typeof ClassDisjointOptionsSchema>;

export interface ClassDisjointRun {
  seed: number;
  fold: number;
  trainClasses: number[];
  validationClasses: number[];
}

export interface ClassDisjointPlan {
  trainClasses: number[];
  testClasses: number[];
  /** Seeds x folds runs, seed-major. */
  runs: ClassDisjointRun[];
}

export function classDisjointFolds(
  labels: ArrayLike<number>,
  options: ClassDisjointOptions = {},
): ClassDisjointPlan {
  const { folds, seeds, selectOn } = ClassDisjointOptionsSchema.parse(options);
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const trainCount = Math.ceil(classes.length / 2);
  const trainClasses = classes.slice(0, trainCount);
  const testClasses = classes.slice(trainCount);
  if (testClasses.length === 0)
    throw new Error(`a class-disjoint split needs at least 2 classes, got ${classes.length}`);
  if (selectOn === 'images') {
    const runs = seeds.flatMap((seed) =>
      Array.from({ length: folds }, (_, fold) => ({
        seed,
        fold,
        trainClasses,
        validationClasses: trainClasses,
      })),
    );
    return { trainClasses, testClasses, runs };
  }
  if (folds > trainClasses.length)
    throw new Error(`${folds} folds need at least ${folds} training classes, got ${trainClasses.length}`);
  const bounds = Array.from({ length: folds + 1 }, (_, f) => Math.round((f * trainClasses.length) / folds));
  const runs = seeds.flatMap((seed) =>
    Array.from({ length: folds }, (_, fold) => ({
      seed,
      fold,
      trainClasses: trainClasses.filter((_, i) => i < bounds[fold] || i >= bounds[fold + 1]),
      validationClasses: trainClasses.slice(bounds[fold], bounds[fold + 1]),
    })),
  );
  return { trainClasses, testClasses, runs };
}

/** Indices of the items whose label is one of `classes`, in increasing order. */
export function itemsOfClasses(labels: ArrayLike<number>, classes: readonly number[]): Int32Array {
  const wanted = new Set(classes);
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if (wanted.has(labels[i])) out.push(i);
  return Int32Array.from(out);
}

export interface MeanWithCI {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator). */
  std: number;
  /** Half-width of the 95% confidence interval of the mean: t(0.975, n-1) x std / sqrt(n); NaN for n < 2. */
  halfWidth: number;
  low: number;
  high: number;
}

/** Mean and Student-t 95% confidence interval of repeated measurements (e.g. one per seed and fold). */
export function meanWithCI95(values: readonly number[]): MeanWithCI {
  const n = values.length;
  if (n === 0) throw new Error('no values to summarise');
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const halfWidth = n > 1 ? (studentTCritical(0.95, n - 1) * std) / Math.sqrt(n) : Number.NaN;
  return { n, mean, std, halfWidth, low: mean - halfWidth, high: mean + halfWidth };
}

/** meanWithCI95 of every metric across runs (each run a flat map of metric name to value). */
export function summariseRuns(runs: readonly Record<string, number>[]): Record<string, MeanWithCI> {
  const names = [...new Set(runs.flatMap((run) => Object.keys(run)))];
  return Object.fromEntries(
    names.map((name) => {
      const values = runs.map((run) => run[name]).filter((v) => v !== undefined);
      return [name, meanWithCI95(values)];
    }),
  );
}

/** `0.4998 ± 0.0031` (mean ± 95% half-width); one measurement has no interval and shows its value alone. */
export function formatMeanWithCI(
  summary: MeanWithCI,
  options: { digits?: number; signed?: boolean } = {},
): string {
  const { digits = 4, signed = false } = options;
  const mean = `${signed && summary.mean > 0 ? '+' : ''}${summary.mean.toFixed(digits)}`;
  return Number.isNaN(summary.halfWidth) ? mean : `${mean} ± ${summary.halfWidth.toFixed(digits)}`;
}
