import { z } from 'zod';
import { type BackendInfo, describeBackend } from '../../../backend/index.ts';
import { createSampler } from '../../../metric/index.ts';
import { pinRunConfig, TrainedRunInfoSchema, trainAndRecord } from '../../../pipeline/train-run.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { formatBadRow } from '../bad-rows.ts';
import type { RecsConfig } from '../config.ts';
import { loadRecsDataset, type RecsDataset } from '../dataset.ts';
import { type RankingCase, rankingCases, rankingMetrics } from '../evaluate.ts';
import { nextItemExamples } from '../examples.ts';
import { createRecsLoss } from '../loss.ts';
import { itemFeatures, modelScorer } from '../scoring.ts';
import { initRecsWeights, type RecsWeights } from '../towers.ts';
import { createRecsModel } from '../train-model.ts';

/** The recommendation train stage's run.json. */
export const RecsRunInfoSchema = TrainedRunInfoSchema.extend({
  data: z.object({
    items: z.number().int().nonnegative(),
    users: z.number().int().nonnegative(),
    interactions: z.number().int().nonnegative(),
    positives: z.number().int().nonnegative(),
    badRows: z.number().int().nonnegative(),
  }),
  examples: z.number().int().nonnegative(),
});
export type RecsRunInfo = z.infer<typeof RecsRunInfoSchema>;

/** Logs what was read, with the first bad rows when some were skipped. */
export function describeDataset(dataset: RecsDataset, progress: ProgressReporter): void {
  const bad = dataset.badRows;
  progress.log(
    `data: ${dataset.items.length} items, ${dataset.users.length} users, ${dataset.interactions} interactions ` +
      `(${dataset.positives} positive); ${dataset.splits.length} users split leave-last-out ` +
      `(fingerprint ${dataset.fingerprint.slice(0, 12)})`,
  );
  if (bad.count > 0) {
    progress.log(
      `skipped ${bad.count} bad rows (--strict fails instead), first: ${bad.first.slice(0, 5).map(formatBadRow).join('; ')}`,
    );
  }
}

/** log of each item's share of the training positives; items without positives get the smallest share. */
export function logPopularity(examples: { targets: Int32Array }, items: number): Float32Array {
  const counts = new Float64Array(items);
  for (const item of examples.targets) counts[item]++;
  const total = Math.max(1, examples.targets.length);
  return Float32Array.from(counts, (count) => Math.log(Math.max(count, 1) / total));
}

/** Validation metrics of the current weights: full rankings of every user's validation item. */
export function validationScorer(
  config: RecsConfig,
  dataset: RecsDataset,
  features: ReturnType<typeof itemFeatures>,
) {
  const cases: RankingCase[] = rankingCases(dataset, 'validation');
  return async (weights: RecsWeights) =>
    rankingMetrics(cases, modelScorer(weights, features, cases, config.model), dataset.items.length);
}

/**
 * Stage 1: trains both towers on next-item examples from the training positives, keeping the best
 * checkpoint by the validation metric. Resumes from the run's last checkpoint when one exists (the
 * config must then be unchanged).
 */
export async function trainRecsStage(options: {
  config: RecsConfig;
  runDir: string;
  runId: string;
  version: string;
  backend: BackendInfo;
  progress: ProgressReporter;
}): Promise<RecsRunInfo> {
  const { config, runDir, progress } = options;
  pinRunConfig(runDir, config);

  const dataset = loadRecsDataset(config.data);
  describeDataset(dataset, progress);
  const features = itemFeatures(dataset, config.featurizer);
  const weights = initRecsWeights(dataset.items.length, config.featurizer.buckets, config.model, config.seed);
  const examples = nextItemExamples(dataset.train, config.model);
  const { batchSize } = config.train;
  if (examples.count < batchSize) {
    throw new Error(`${examples.count} training examples is fewer than one batch of ${batchSize}`);
  }
  // No two examples of a batch share their positive item: it would be a false negative of the other.
  const sampler = createSampler(
    { name: 'pairs', batch_size: batchSize, seed: config.seed },
    examples.targets,
  );
  const model = createRecsModel({
    weights,
    examples,
    features,
    logQ: logPopularity(examples, dataset.items.length),
    loss: createRecsLoss(config.loss, config.popularityCorrection),
    sampler,
    idDropout: config.model.idDropout,
    adam: config.train.optimizer,
    seed: config.seed,
    validate: validationScorer(config, dataset, features),
  });
  const totalSteps = Math.max(1, Math.round(config.train.epochs * sampler.epoch(0).length));
  progress.log(
    `training ${config.name} on ${describeBackend(options.backend)}: ${examples.count} ` +
      `next-item examples, ${totalSteps} steps of ${batchSize}, at most ${config.train.maxMinutes} min`,
  );
  return trainAndRecord(model, {
    ...options,
    totalSteps,
    batchSize,
    dataFingerprint: dataset.fingerprint,
    extra: {
      data: {
        items: dataset.items.length,
        users: dataset.users.length,
        interactions: dataset.interactions,
        positives: dataset.positives,
        badRows: dataset.badRows.count,
      },
      examples: examples.count,
    },
  });
}
