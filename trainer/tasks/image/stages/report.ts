import { encode as encodePng } from 'fast-png';
import { bytesToBase64 } from '../../../../shared/image/base64.ts';
import { createRandom } from '../../../metric/index.ts';
import { readRunFile, runPath } from '../../../pipeline/run-dir.ts';
import { TrainedRunInfoSchema } from '../../../pipeline/train-run.ts';
import { type ReportDataInput, writeReport } from '../../../report/index.ts';
import { LoopStateSchema } from '../../../train/loop.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { embedSet, headline } from '../image-metrics.ts';
import { type ImageSet, imagePixels, selectImages } from '../image-set.ts';
import { ImageEvaluationSchema, testSplit } from './evaluate.ts';
import { ImageExportInfoSchema } from './export.ts';
import { loadTrainedImageModel } from './weights.ts';

/**
 * Stage 5: the run's report.html. The maps and neighbour examples show a seeded sample of the test
 * images (each with its picture as a PNG data URL), coloured by class; the metrics are the full test
 * set's, beside the raw-pixel and untrained-CNN baselines and the fp32/int8 ONNX files.
 */
export async function reportImageStage(runDir: string, progress: ProgressReporter): Promise<void> {
  const { config, weights } = loadTrainedImageModel(runDir);
  const metrics = readRunFile(runDir, 'metrics', LoopStateSchema);
  const evaluation = readRunFile(runDir, 'evaluation', ImageEvaluationSchema);
  const exported = readRunFile(runDir, 'exportInfo', ImageExportInfoSchema);
  const { test } = testSplit(config);
  const sample = selectImages(test, sampleIndices(test.count, config.report.mapItems, config.seed));

  const validationNames = Object.keys(metrics.history.validation[0]?.metrics ?? {});
  const data: ReportDataInput = {
    title: `${config.name}: CNN image encoder (${config.protocol.kind})`,
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
      embeddings: { dim: weights.shape.embeddingDim, data: embedSet(weights, sample, config.normalization) },
      labels: sample.labels,
      texts: Array.from(sample.labels, (label) => sample.classNames[label]),
      thumbnails: Array.from({ length: sample.count }, (_, i) => pngDataUrl(sample, i)),
    },
    classNames: Object.fromEntries(test.classNames.map((name, label) => [String(label), name])),
    metrics: {
      overall: evaluation.tfjs.overall,
      perClass: evaluation.tfjs.perClass,
      primary: 'mean_average_precision_at_r',
    },
    baselines: [
      { name: 'raw pixels (L2-normalised)', metrics: headline(evaluation.baselines.rawPixels) },
      { name: 'same CNN, untrained', metrics: headline(evaluation.baselines.untrained) },
    ],
    quantization: { fp32: headline(exported.onnx.fp32), int8: headline(exported.onnx.int8) },
    verification: evaluation.verification,
    options: { maxMapPoints: config.report.mapItems, seed: config.seed, distance: 'cosine' },
  };
  await writeReport(runPath(runDir, 'report'), data, progress);
  progress.log(`report ${runPath(runDir, 'report')}`);
}

/** A grey image as a `data:image/png;base64,...` URL. */
export function pngDataUrl(set: ImageSet, index: number): string {
  const png = encodePng({
    width: set.width,
    height: set.height,
    data: imagePixels(set, index),
    channels: 1,
    depth: 8,
  });
  return `data:image/png;base64,${bytesToBase64(png)}`;
}

/** `count` distinct indices below `total`, seeded, in increasing order (all of them when total <= count). */
function sampleIndices(total: number, count: number, seed: number): Int32Array {
  const all = Int32Array.from({ length: total }, (_, i) => i);
  if (total <= count) return all;
  const random = createRandom(seed + 1);
  for (let i = 0; i < count; i++) {
    const j = i + random.int(total - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.subarray(0, count).sort();
}
