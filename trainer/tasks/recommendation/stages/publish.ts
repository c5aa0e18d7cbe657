import { createTextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { TEXT_ENCODER_IO } from '../../../export/onnx-text-encoder.ts';
import { publishRun } from '../../../pipeline/publish-run.ts';
import { readRunFile, runPath } from '../../../pipeline/run-dir.ts';
import type { PublishResult } from '../../../publish/publish.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { RecsEvaluationSchema } from './evaluate.ts';
import { RecsExportInfoSchema } from './export.ts';
import { RecsIndexStatsSchema } from './index-build.ts';
import { RecsRunInfoSchema } from './train.ts';
import { loadTrainedRecsModel } from './weights.ts';

/**
 * Stage 6: assembles the manifest (the user tower's weights included: the edge applies them) and publishes
 * the version atomically. Refuses a model that does not beat both baselines unless the config allows it.
 */
export async function publishRecsStage(
  runDir: string,
  artifactsDir: string,
  progress: ProgressReporter,
): Promise<PublishResult> {
  const { config, weights } = loadTrainedRecsModel(runDir);
  const run = readRunFile(runDir, 'run', RecsRunInfoSchema);
  const evaluation = readRunFile(runDir, 'evaluation', RecsEvaluationSchema);
  const exported = readRunFile(runDir, 'exportInfo', RecsExportInfoSchema);
  const indexed = readRunFile(runDir, 'indexInfo', RecsIndexStatsSchema);
  if (!evaluation.beatsBaselines && config.evaluation.mustBeatBaselines) {
    throw new Error(
      `not publishing ${config.name}@${run.version}: it does not beat most-popular and item-kNN on HR@10 and ` +
        `NDCG@10 (see ${runPath(runDir, 'evaluation')}); set evaluation.mustBeatBaselines false to publish anyway`,
    );
  }
  return publishRun({
    runDir,
    artifactsDir,
    progress,
    config,
    run,
    manifest: {
      task: 'recommendation',
      input: {
        kind: 'text',
        featurizer: createTextFeaturizer(config.featurizer).config,
        onnx: { ...TEXT_ENCODER_IO },
      },
      embedding: { dim: weights.dim, distance: 'cosine', normalized: true },
      collections: [
        { name: config.index.collection, items: indexed.items, description: config.index.description },
      ],
      recommendation: {
        collection: config.index.collection,
        recent_items: config.model.recentItems,
        recency_decay: config.model.recencyDecay,
        positive_rating: config.data.positiveRating,
        user_tower: { kernel: Array.from(weights.userKernel), bias: Array.from(weights.userBias) },
      },
      metrics: {
        tfjs: evaluation.model,
        served: exported.served,
        most_popular: evaluation.mostPopular,
        item_knn: evaluation.itemKnn,
        content_only: evaluation.contentOnly,
        parity: {
          user_min_cosine: exported.userParity.minCosine,
          content_fp32_min_cosine: exported.contentParity.fp32MinCosine,
          content_int8_min_cosine: exported.contentParity.int8MinCosine,
          int8_size_ratio: exported.int8SizeRatio,
        },
      },
    },
  });
}
