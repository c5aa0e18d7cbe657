import { type MeanWithCI, meanWithCI95 } from './protocol.ts';

type Metrics = Record<string, number>;

/** One trained run of a (seed, fold) protocol. */
export interface SeededRun {
  seed: number;
  test: Metrics;
}

/** A seed's baselines (e.g. raw pixels and the untrained network initialised with that seed). */
export interface SeededBaselines {
  seed: number;
  baselines: readonly Metrics[];
}

/**
 * The gain of trained runs over the better baseline, paired by seed, with its 95% interval: for every seed,
 * the mean over that seed's runs (its folds) of the test metric minus the better of that seed's baselines;
 * then Student's t interval over the seeds (a paired t interval, n = number of seeds, n - 1 degrees of
 * freedom). The folds of a seed share its baselines and its initialisation, so they are not independent
 * measurements of the gain: averaging them within the seed keeps the interval from being too narrow.
 */
export function pairedGainOverSeeds(
  runs: readonly SeededRun[],
  baselines: readonly SeededBaselines[],
  metrics: readonly string[],
): Record<string, MeanWithCI> {
  const seeds = [...new Set(runs.map((run) => run.seed))];
  if (seeds.length === 0) throw new Error('no runs to summarise');
  const gainsPerSeed = seeds.map((seed) => {
    const own = baselines.find((b) => b.seed === seed);
    if (!own) throw new Error(`seed ${seed} has runs but no baselines`);
    const seedRuns = runs.filter((run) => run.seed === seed);
    return Object.fromEntries(
      metrics.map((name) => {
        const better = Math.max(...own.baselines.map((b) => b[name]));
        const trained = seedRuns.reduce((sum, run) => sum + run.test[name], 0) / seedRuns.length;
        return [name, trained - better];
      }),
    );
  });
  return Object.fromEntries(metrics.map((name) => [name, meanWithCI95(gainsPerSeed.map((g) => g[name]))]));
}
