import { mulberry32, shuffle } from '../../../../shared/random.ts';
import { readRunFile, runPath } from '../../../pipeline/run-dir.ts';
import { TrainedRunInfoSchema } from '../../../pipeline/train-run.ts';
import { type ReportDataInput, writeReport } from '../../../report/index.ts';
import { LoopStateSchema } from '../../../train/loop.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { allItemVectors } from '../inference.ts';
import { RecsEvaluationSchema } from './evaluate.ts';
import { loadTrainedRecsModel } from './weights.ts';

const MAP_ITEMS = 1500;
const NO_CATEGORY = '(none)';

/**
 * Stage 5: the run's report.html. The map shows a seeded sample of item vectors coloured by each item's
 * first category, and its neighbour examples are similar items; the metrics table sets the model beside
 * both baselines.
 */
export async function reportRecsStage(runDir: string, progress: ProgressReporter): Promise<void> {
  const { config, dataset, features, weights } = loadTrainedRecsModel(runDir);
  const metrics = readRunFile(runDir, 'metrics', LoopStateSchema);
  const evaluation = readRunFile(runDir, 'evaluation', RecsEvaluationSchema);

  const categoryOf = (row: number) => dataset.items[row].categories[0] ?? NO_CATEGORY;
  const categories = [...new Set(dataset.items.map((_, row) => categoryOf(row)))].sort();
  const labelOf = new Map(categories.map((name, i) => [name, i]));
  const sample = seededSample(dataset.items.length, MAP_ITEMS, config.seed);
  const { dim } = weights;
  const vectors = allItemVectors(weights, features);
  const embeddings = new Float32Array(sample.length * dim);
  sample.forEach((row, i) => embeddings.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim));

  const validationNames = Object.keys(metrics.history.validation[0]?.metrics ?? {});
  const data: ReportDataInput = {
    title: `${config.name}: two-tower recommender`,
    runId: readRunFile(runDir, 'run', TrainedRunInfoSchema).runId,
    createdAt: new Date().toISOString(),
    config,
    curves: {
      loss: metrics.history.train.map((t) => ({ step: t.step, value: t.loss })),
      validation: Object.fromEntries(
        validationNames.map((name) => [
          name,
          metrics.history.validation.map((v) => ({ step: v.step, value: v.metrics[name] })),
        ]),
      ),
    },
    test: {
      embeddings: { dim, data: embeddings },
      labels: sample.map((row) => labelOf.get(categoryOf(row))!),
      texts: sample.map((row) => dataset.items[row].title),
    },
    classNames: Object.fromEntries(categories.map((name, i) => [String(i), name])),
    metrics: { overall: evaluation.model, primary: 'ndcg_at_10' },
    baselines: [
      { name: 'most popular', metrics: evaluation.mostPopular },
      { name: 'item-kNN (co-occurrence cosine)', metrics: evaluation.itemKnn },
      { name: 'content only (every item as new)', metrics: evaluation.contentOnly },
    ],
    options: { maxMapPoints: MAP_ITEMS, seed: config.seed, distance: 'cosine' },
  };
  await writeReport(runPath(runDir, 'report'), data, progress);
  progress.log(`report ${runPath(runDir, 'report')}`);
}

/** `count` distinct rows of `0..total-1`, seeded, in ascending order. */
function seededSample(total: number, count: number, seed: number): number[] {
  const rows = Array.from({ length: total }, (_, i) => i);
  return shuffle(rows, mulberry32(seed))
    .slice(0, count)
    .sort((a, b) => a - b);
}
