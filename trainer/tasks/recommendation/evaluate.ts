import { recommendationMetrics } from '../../eval/recommendation.ts';
import type { RecsDataset, UserSplit } from './dataset.ts';

export type HeldOut = 'validation' | 'test';

/** Cut-offs of the ranking metrics: HR, NDCG, Recall and coverage at 10 and at 20. */
export const RANKING_KS = [10, 20] as const;

/** The figures a model must beat the baselines on, and that the README reports. */
export const HEADLINE_METRICS = ['hr_at_10', 'ndcg_at_10'] as const;

/** One judged ranking: the user's positives before the held-out item, the item, and what is left out. */
export interface RankingCase {
  /** Positive items before the held-out one, oldest first: what the user is known by. */
  history: Int32Array;
  target: number;
  /** Items seen before the held-out one (positive or not): never recommended again. */
  exclude: Int32Array;
}

/** The validation or test case of every user with a split. */
export function rankingCases(dataset: RecsDataset, heldOut: HeldOut): RankingCase[] {
  return dataset.splits.map((split: UserSplit) =>
    heldOut === 'validation'
      ? { history: split.train, target: split.validation, exclude: split.excludeForValidation }
      : {
          history: Int32Array.of(...split.train, split.validation),
          target: split.test,
          exclude: split.excludeForTest,
        },
  );
}

/**
 * HR@K, NDCG@K, Recall@K, MRR and coverage@K of full rankings over every item the user has not seen
 * (trainer/eval's recommendationMetrics). `scoresOf(i)` scores every item for case i.
 */
export function rankingMetrics(
  cases: readonly RankingCase[],
  scoresOf: (caseIndex: number) => ArrayLike<number>,
  catalogueSize: number,
): Record<string, number> {
  const users = function* () {
    for (let i = 0; i < cases.length; i++) {
      yield { scores: scoresOf(i), heldOut: [cases[i].target], exclude: cases[i].exclude };
    }
  };
  return recommendationMetrics({ users: users(), catalogueSize, ks: RANKING_KS }).scores;
}
