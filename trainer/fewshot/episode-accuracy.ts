import { classPrototypes, rankByPrototype } from '../../shared/fewshot/index.ts';
import type { Episode } from './episodes.ts';
import { fitLogistic, predictLogistic } from './logistic.ts';
import type { Rows } from './representations.ts';

export type EpisodeMethod = 'prototype' | 'logistic';

/**
 * The share of an episode's queries a classifier built from its support items labels right. `rows` holds
 * the support items then the queries, in one space (a TF-IDF episode's columns are its own terms).
 */
export function episodeAccuracy(method: EpisodeMethod, episode: Episode, rows: Rows): number {
  const { dim } = rows;
  const shots = episode.support.length;
  const row = (i: number) => rows.data.subarray(i * dim, (i + 1) * dim);
  let predict: (query: number) => number;
  if (method === 'prototype') {
    const prototypes = classPrototypes(
      episode.supportLabels.map((label, i) => ({ vector: row(i), label: String(label) })),
    );
    predict = (q) => Number(rankByPrototype(row(shots + q), prototypes)[0].label);
  } else {
    const support = rows.data.subarray(0, shots * dim);
    const { model } = fitLogistic(support, dim, episode.supportLabels, episode.classes.length);
    predict = (q) => predictLogistic(model, row(shots + q));
  }
  let right = 0;
  episode.queryLabels.forEach((label, q) => {
    if (predict(q) === label) right++;
  });
  return right / episode.queryLabels.length;
}
