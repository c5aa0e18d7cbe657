import type { Row, Target } from './results.ts';
import { summarize } from './stats.ts';

/**
 * Row builders, so every section reports the same way: timings as median/min/max/p99 in ms, rates as
 * the median of per-run rates, comparisons as the median of per-round ratios (measured in this run).
 */

interface RowExtras {
  target?: Target;
  note?: string;
}

export function timingRow(
  group: string,
  figure: string,
  samplesMs: readonly number[],
  extras: RowExtras = {},
): Row {
  const { median, min, max, p99, runs } = summarize(samplesMs);
  return { group, figure, unit: 'ms', median, min, max, p99, runs, ...extras };
}

/** `items` per second of each run (e.g. texts per batch), summarized over the runs. */
export function rateRow(
  group: string,
  figure: string,
  samplesMs: readonly number[],
  items: number,
  unit: string,
  extras: RowExtras = {},
): Row {
  const { median, min, max, runs } = summarize(samplesMs.map((ms) => (items * 1000) / ms));
  return { group, figure, unit, median, min, max, runs, ...extras };
}

/** A comparison: the ratio a/b per paired run, summarized (e.g. from timeRounds + pairedRatios). */
export function ratioRow(
  group: string,
  figure: string,
  ratios: readonly number[],
  extras: RowExtras = {},
): Row {
  const { median, min, max, runs } = summarize(ratios);
  return { group, figure, unit: 'x', median, min, max, runs, ...extras };
}

/** A one-shot figure: a build time, a file size, a recall over a query set. */
export function valueRow(
  group: string,
  figure: string,
  value: number,
  unit: string,
  extras: RowExtras = {},
): Row {
  return { group, figure, unit, median: value, runs: 1, ...extras };
}

/**
 * A target with its verdict: `met` is computed by the caller from the measurement beside it; `better`
 * says which side of the figure is good, so the worst of several rounds can be found.
 */
export function target(text: string, met: boolean, better?: 'higher' | 'lower'): Target {
  return { text, met, ...(better ? { better } : {}) };
}
