import { z } from 'zod';
import { JsonNumberSchema } from '../../../../shared/validation.ts';
import { writeRunFile } from '../../../pipeline/run-dir.ts';
import { type ProgressReporter, timedStep } from '../../../train/progress.ts';
import { itemKnn, popularityScores } from '../baselines.ts';
import { HEADLINE_METRICS, rankingCases, rankingMetrics } from '../evaluate.ts';
import { modelScorer } from '../scoring.ts';
import { loadTrainedRecsModel } from './weights.ts';

const MetricsSchema = z.record(z.string(), JsonNumberSchema);
export type Metrics = z.infer<typeof MetricsSchema>;

/** The recommendation evaluate stage's eval.json. */
export const RecsEvaluationSchema = z.object({
  protocol: z.string(),
  /** Users judged: those with a test item. */
  users: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
  model: MetricsSchema,
  mostPopular: MetricsSchema,
  itemKnn: MetricsSchema,
  /** The model with every item's vector from its content alone, as if the whole catalogue were new. */
  contentOnly: MetricsSchema,
  /** Whether the model beats both baselines on HR@10 and on NDCG@10. */
  beatsBaselines: z.boolean(),
});
export type RecsEvaluation = z.infer<typeof RecsEvaluationSchema>;

/** The model, both baselines and the content-only variant side by side, one line each. */
export function formatComparison(evaluation: RecsEvaluation): string {
  const names = ['hr_at_10', 'ndcg_at_10', 'recall_at_20', 'mrr', 'coverage_at_10'];
  const row = (label: string, metrics: Metrics) =>
    `  ${label.padEnd(14)}${names.map((n) => metrics[n].toFixed(4).padStart(16)).join('')}`;
  return [
    `  ${''.padEnd(14)}${names.map((n) => n.padStart(16)).join('')}`,
    row('model', evaluation.model),
    row('most popular', evaluation.mostPopular),
    row('item-kNN', evaluation.itemKnn),
    row('content only', evaluation.contentOnly),
  ].join('\n');
}

/**
 * Stage 2: full-ranking evaluation of each user's last positive (never trained on nor used to pick the
 * checkpoint), for the model and the two baselines learned from the same training positives.
 */
export async function evaluateRecsStage(runDir: string, progress: ProgressReporter): Promise<RecsEvaluation> {
  const { config, dataset, features, weights } = loadTrainedRecsModel(runDir);
  const cases = rankingCases(dataset, 'test');
  const items = dataset.items.length;
  const popular = popularityScores(dataset.train, items);
  // Full ranking for every user, four times: each is logged with its time, so the stage is never silent.
  const ranked = (scorer: string) => `${scorer}: ranking ${items} items for ${cases.length} test users`;
  const knn = timedStep(progress, 'item-kNN baseline: item similarities', () =>
    itemKnn(dataset.train, items),
  );
  const model = timedStep(progress, ranked('model'), () =>
    rankingMetrics(cases, modelScorer(weights, features, cases, config.model), items),
  );
  const mostPopular = timedStep(progress, ranked('most-popular'), () =>
    rankingMetrics(cases, () => popular, items),
  );
  const itemKnnMetrics = timedStep(progress, ranked('item-kNN'), () =>
    rankingMetrics(cases, (i) => knn.scores(cases[i].history), items),
  );
  const contentOnly = timedStep(progress, ranked('content-only model'), () =>
    rankingMetrics(cases, modelScorer(weights, features, cases, config.model, { contentOnly: true }), items),
  );
  const evaluation: RecsEvaluation = {
    protocol:
      "leave-last-out by time: each user's last positive, ranked against every item they had not seen (full ranking)",
    users: cases.length,
    items,
    model,
    mostPopular,
    itemKnn: itemKnnMetrics,
    contentOnly,
    beatsBaselines: HEADLINE_METRICS.every(
      (name) => model[name] > mostPopular[name] && model[name] > itemKnnMetrics[name],
    ),
  };
  writeRunFile(runDir, 'evaluation', RecsEvaluationSchema, evaluation);
  progress.log(`test (${cases.length} users, ${items} items):\n${formatComparison(evaluation)}`);
  progress.log(
    evaluation.beatsBaselines
      ? 'the model beats most-popular and item-kNN on HR@10 and NDCG@10'
      : 'the model does NOT beat both baselines on HR@10 and NDCG@10',
  );
  return evaluation;
}
