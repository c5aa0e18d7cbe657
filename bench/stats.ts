/**
 * Timing statistics for the benchmark suite: every figure is a summary of repeated runs taken after
 * warm-up runs were thrown away.
 */

export interface Summary {
  median: number;
  min: number;
  max: number;
  p50: number;
  p99: number;
  /** How many measured runs the summary covers (warm-up runs excluded). */
  runs: number;
}

/**
 * The q-th quantile (0..1) with linear interpolation between closest ranks: numpy's default
 * (`method='linear'`), so figures can be checked with `np.percentile(samples, 100 * q)`.
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('quantile of no samples');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], got ${q}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('cannot summarize zero samples');
  if (!samples.every(Number.isFinite)) throw new Error('samples must be finite numbers');
  const median = quantile(samples, 0.5);
  return {
    median,
    min: Math.min(...samples),
    max: Math.max(...samples),
    p50: median,
    p99: quantile(samples, 0.99),
    runs: samples.length,
  };
}

export interface RepeatOptions {
  /** Runs thrown away first: JIT compilation, lazy allocation, caches. */
  warmup: number;
  repeats: number;
  /**
   * Stops measuring early once this many seconds were spent on measured rounds, keeping at least
   * MIN_RUNS: a contender 100x slower than the rest (the cpu backend) then costs seconds, not an hour.
   */
  budgetSeconds?: number;
}

/** The fewest measured runs a budget may cut a series to (a median of fewer says little). */
export const MIN_RUNS = 3;

/** Milliseconds per run of `run`, after `warmup` unmeasured runs. */
export async function timeRuns(run: () => unknown, options: RepeatOptions): Promise<number[]> {
  return (await timeRounds({ run }, options)).run;
}

/**
 * Times several contenders in rounds: each round runs every contender once, in the order given, so
 * slow drift of the machine (thermal, other processes) hits all of them alike and a ratio of two
 * contenders can be taken round by round. `round` is passed to each run (e.g. to pick the round's input).
 */
export async function timeRounds<Name extends string>(
  contenders: Record<Name, (round: number) => unknown>,
  options: RepeatOptions,
): Promise<Record<Name, number[]>> {
  const names = Object.keys(contenders) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  let measuredMs = 0;
  for (let round = 0; round < options.warmup + options.repeats; round++) {
    const measured = round - options.warmup + 1;
    for (const name of names) {
      const start = performance.now();
      await contenders[name](round);
      const elapsed = performance.now() - start;
      if (measured > 0) {
        samples[name].push(elapsed);
        measuredMs += elapsed;
      }
    }
    const overBudget = options.budgetSeconds !== undefined && measuredMs > options.budgetSeconds * 1000;
    if (overBudget && measured >= MIN_RUNS) break;
  }
  return samples;
}

/** Element-wise a[i] / b[i] of two paired sample series (e.g. the rounds of timeRounds). */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`paired series differ in length: ${a.length} vs ${b.length}`);
  return a.map((value, i) => value / b[i]);
}
