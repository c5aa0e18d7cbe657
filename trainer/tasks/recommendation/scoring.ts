import { createTextFeaturizer, type TextFeatures } from '../../../shared/featurizer/text.ts';
import type { RecsConfig } from './config.ts';
import type { RecsDataset } from './dataset.ts';
import type { RankingCase } from './evaluate.ts';
import type { Pooling } from './examples.ts';
import { allItemVectors, userVectorsFrom } from './inference.ts';
import { itemText } from './item-text.ts';
import type { RecsWeights } from './towers.ts';

/** Every item's featurized title and categories, by row. */
export function itemFeatures(dataset: RecsDataset, featurizer: RecsConfig['featurizer']): TextFeatures[] {
  const textFeaturizer = createTextFeaturizer(featurizer);
  return dataset.items.map((item) => textFeaturizer.featurize(itemText(item)));
}

/** Cosine of a unit user vector with every unit item vector (row-major [items, dim]): their dot products. */
export function itemScores(items: Float32Array, user: Float32Array, dim: number): Float32Array {
  const scores = new Float32Array(items.length / dim);
  for (let item = 0; item < scores.length; item++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += items[item * dim + d] * user[d];
    scores[item] = sum;
  }
  return scores;
}

/** The model's scores for each case: its user vector (from the case's history) against every item. */
export function modelScorer(
  weights: RecsWeights,
  features: readonly TextFeatures[],
  cases: readonly RankingCase[],
  pooling: Pooling,
  options: { contentOnly?: boolean } = {},
): (caseIndex: number) => Float32Array {
  const { dim } = weights;
  const items = allItemVectors(weights, features, options);
  const users = userVectorsFrom(
    weights,
    items,
    cases.map((c) => c.history),
    pooling,
  );
  return (i) => itemScores(items, users.subarray(i * dim, (i + 1) * dim), dim);
}
