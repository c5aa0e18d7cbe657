import { type MeanWithCI, meanWithCI95 } from '../eval/protocol.ts';
import { type EpisodeMethod, episodeAccuracy } from './episode-accuracy.ts';
import { type EpisodePlan, sampleEpisodes } from './episodes.ts';
import type { Representation } from './representations.ts';

/** A classifier on a representation: one row of the few-shot table. */
export interface Contender {
  representation: Representation;
  method: EpisodeMethod;
}

export interface FewShotRow {
  representation: string;
  method: EpisodeMethod;
  /** Per shot count: mean accuracy over the episodes with its 95% interval. */
  accuracy: Record<string, MeanWithCI>;
}

/**
 * Every contender on the very same episodes for each shot count (one episode list per shot count,
 * drawn once), so differences between rows are not differences between draws.
 */
export function runEpisodes(
  labels: ArrayLike<number>,
  contenders: readonly Contender[],
  plan: Omit<EpisodePlan, 'shots'> & { shots: readonly number[] },
  onProgress?: (message: string) => void,
): FewShotRow[] {
  const rows: FewShotRow[] = contenders.map((c) => ({
    representation: c.representation.name,
    method: c.method,
    accuracy: {},
  }));
  for (const shots of plan.shots) {
    const episodes = sampleEpisodes(labels, { ...plan, shots });
    contenders.forEach((contender, n) => {
      const started = performance.now();
      const accuracies = episodes.map((episode) =>
        episodeAccuracy(
          contender.method,
          episode,
          contender.representation.rows([...episode.support, ...episode.query]),
        ),
      );
      rows[n].accuracy[String(shots)] = meanWithCI95(accuracies);
      onProgress?.(
        `${plan.ways}-way ${shots}-shot, ${contender.representation.name} ${contender.method}: ` +
          `${(100 * rows[n].accuracy[String(shots)].mean).toFixed(2)}% (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    });
  }
  return rows;
}
