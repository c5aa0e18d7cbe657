import { TEXT_ENCODER_IO } from '../../../export/onnx-text-encoder.ts';
import { BuildIndexStatsSchema } from '../../../index/build-index.ts';
import { publishRun } from '../../../pipeline/publish-run.ts';
import { readRunFile } from '../../../pipeline/run-dir.ts';
import { manifestVerification } from '../../../pipeline/verification-eval.ts';
import type { PublishResult } from '../../../publish/publish.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { flatSimilarityMetrics } from '../similarity/similarity-eval.ts';
import { TextEvaluationSchema } from './evaluate.ts';
import { TextExportInfoSchema } from './export.ts';
import { headlineMetrics } from './retrieval-eval.ts';
import { TrainRunInfoSchema } from './train.ts';
import { loadTrainedTextModel } from './weights.ts';

/** Stage 6: assembles the manifest from the run's files and publishes the version atomically. */
export async function publishTextStage(
  runDir: string,
  artifactsDir: string,
  progress: ProgressReporter,
): Promise<PublishResult> {
  const { config, featurizer } = loadTrainedTextModel(runDir);
  const run = readRunFile(runDir, 'run', TrainRunInfoSchema);
  const evaluation = readRunFile(runDir, 'evaluation', TextEvaluationSchema);
  const exported = readRunFile(runDir, 'exportInfo', TextExportInfoSchema);
  const indexed = readRunFile(runDir, 'indexInfo', BuildIndexStatsSchema);
  return publishRun({
    runDir,
    artifactsDir,
    progress,
    config,
    run,
    manifest: {
      task: 'text-similarity',
      input: { kind: 'text', featurizer: featurizer.config, onnx: { ...TEXT_ENCODER_IO } },
      embedding: { dim: config.model.outputDim, distance: 'cosine', normalized: true },
      collections: [
        {
          name: config.index.collection,
          items: indexed.items,
          description: config.index.description,
          ...(indexed.labels ? { labels: indexed.labels } : {}),
        },
      ],
      ...(evaluation.decision.threshold && evaluation.decision.test.atThreshold
        ? {
            decision: {
              threshold: evaluation.decision.threshold.threshold,
              target_precision: evaluation.decision.targetPrecision,
              calibrated_on: evaluation.decision.calibratedOn,
              test_precision: evaluation.decision.test.atThreshold.precision,
              test_recall: evaluation.decision.test.atThreshold.recall,
            },
          }
        : {}),
      ...(evaluation.verification ? { verification: manifestVerification(evaluation.verification) } : {}),
      metrics: {
        tfjs: headlineMetrics(evaluation.tfjs),
        fp32: headlineMetrics(exported.onnx.fp32),
        int8: headlineMetrics(exported.onnx.int8),
        ...(Object.keys(evaluation.similarity ?? {}).length > 0
          ? { similarity: flatSimilarityMetrics(evaluation.similarity) }
          : {}),
        parity: {
          fp32_min_cosine: exported.parity.fp32MinCosine,
          int8_min_cosine: exported.parity.int8MinCosine,
          int8_size_ratio: exported.int8SizeRatio,
        },
      },
    },
  });
}
