import { mulberry32 } from '../../shared/random.ts';

/**
 * The N-way K-shot episode protocol (Vinyals et al. 2016, Snell et al. 2017): each episode draws N classes,
 * K labelled support items and Q query items per class, all distinct; a classifier built from the support
 * items labels the queries. Items are indices into the caller's item list; `classes` index its labels.
 */
export interface Episode {
  classes: number[];
  support: number[];
  /** Position of each support item's class in `classes` (0 .. N-1). */
  supportLabels: number[];
  query: number[];
  queryLabels: number[];
}

export interface EpisodePlan {
  ways: number;
  shots: number;
  queries: number;
  episodes: number;
  seed: number;
}

/** Draws the episodes of one plan; a pure function of the labels and the plan. */
export function sampleEpisodes(labels: ArrayLike<number>, plan: EpisodePlan): Episode[] {
  const members = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) members.set(labels[i], [...(members.get(labels[i]) ?? []), i]);
  const eligible = [...members.keys()]
    .filter((label) => members.get(label)!.length >= plan.shots + plan.queries)
    .sort((a, b) => a - b);
  if (eligible.length < plan.ways) {
    throw new Error(
      `${plan.ways}-way ${plan.shots}-shot with ${plan.queries} queries needs ${plan.ways} classes of at least ` +
        `${plan.shots + plan.queries} items; ${eligible.length} have that many`,
    );
  }
  const random = mulberry32(plan.seed * 1000003 + plan.shots);
  return Array.from({ length: plan.episodes }, () => {
    const classes = pick(eligible, plan.ways, random);
    const episode: Episode = { classes, support: [], supportLabels: [], query: [], queryLabels: [] };
    classes.forEach((label, position) => {
      const drawn = pick(members.get(label)!, plan.shots + plan.queries, random);
      episode.support.push(...drawn.slice(0, plan.shots));
      episode.supportLabels.push(...drawn.slice(0, plan.shots).map(() => position));
      episode.query.push(...drawn.slice(plan.shots));
      episode.queryLabels.push(...drawn.slice(plan.shots).map(() => position));
    });
    return episode;
  });
}

/** `count` distinct items drawn uniformly (a partial Fisher-Yates shuffle of a copy). */
function pick(items: readonly number[], count: number, random: () => number): number[] {
  const copy = [...items];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}
