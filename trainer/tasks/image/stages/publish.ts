import { BuildIndexStatsSchema } from '../../../index/build-index.ts';
import { publishRun } from '../../../pipeline/publish-run.ts';
import { readRunFile } from '../../../pipeline/run-dir.ts';
import { manifestVerification } from '../../../pipeline/verification-eval.ts';
import type { PublishResult } from '../../../publish/publish.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { headline } from '../image-metrics.ts';
import { CNN_ENCODER_IO } from '../onnx-cnn.ts';
import { ImageEvaluationSchema } from './evaluate.ts';
import { ImageExportInfoSchema } from './export.ts';
import { ImageTrainRunInfoSchema } from './train.ts';
import { loadTrainedImageModel } from './weights.ts';

/** Stage 6: assembles the manifest from the run's files and publishes the version atomically. */
export async function publishImageStage(
  runDir: string,
  artifactsDir: string,
  progress: ProgressReporter,
): Promise<PublishResult> {
  const { config } = loadTrainedImageModel(runDir);
  if (!config.index)
    throw new Error(`${config.name} has no index section: this run is evaluated, not published`);
  const run = readRunFile(runDir, 'run', ImageTrainRunInfoSchema);
  const evaluation = readRunFile(runDir, 'evaluation', ImageEvaluationSchema);
  const exported = readRunFile(runDir, 'exportInfo', ImageExportInfoSchema);
  const indexed = readRunFile(runDir, 'indexInfo', BuildIndexStatsSchema);
  const { model } = config;
  return publishRun({
    runDir,
    artifactsDir,
    progress,
    config,
    run,
    manifest: {
      task: 'image-similarity',
      input: {
        kind: 'image',
        width: model.width,
        height: model.height,
        channels: 1,
        normalization: config.normalization,
        onnx: { ...CNN_ENCODER_IO },
      },
      embedding: { dim: model.embeddingDim, distance: 'cosine', normalized: true },
      collections: [
        {
          name: config.index.collection,
          items: indexed.items,
          description: config.index.description,
          ...(indexed.labels ? { labels: indexed.labels } : {}),
        },
      ],
      ...(evaluation.verification ? { verification: manifestVerification(evaluation.verification) } : {}),
      metrics: {
        tfjs: headline(evaluation.tfjs),
        fp32: headline(exported.onnx.fp32),
        int8: headline(exported.onnx.int8),
        raw_pixels: headline(evaluation.baselines.rawPixels),
        untrained: headline(evaluation.baselines.untrained),
        parity: {
          fp32_min_cosine: exported.parity.fp32.minCosine,
          int8_min_cosine: exported.parity.int8.minCosine,
          int8_size_ratio: exported.int8SizeRatio,
        },
        training: { samples_per_second: run.samplesPerSecond },
      },
    },
  });
}
