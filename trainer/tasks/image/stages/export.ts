import { statSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomicSync } from '../../../../shared/artifacts/atomic-fs.ts';
import { normalizePixels } from '../../../../shared/image/model-input.ts';
import { createOnnxImageEmbedder } from '../../../../shared/image/onnx-image-embedder.ts';
import { ExportedOnnxSchema, perPrecision } from '../../../export/export-info.ts';
import { checkExportedModel, type OnnxValidation } from '../../../export/onnx-check.ts';
import { assertParity } from '../../../export/parity-gate.ts';
import { runPath, writeRunFile } from '../../../pipeline/run-dir.ts';
import { formatMetrics } from '../../../train/loop.ts';
import { type ProgressReporter, timedStep } from '../../../train/progress.ts';
import { nodeOrt } from '../../../util/ort.ts';
import type { CnnWeights } from '../cnn.ts';
import { embedSet, headline, ImageMetricsSchema, imageMetrics } from '../image-metrics.ts';
import type { ImageSet } from '../image-set.ts';
import { CNN_ENCODER_IO, exportCnnOnnx } from '../onnx-cnn.ts';
import { testSplit } from './evaluate.ts';
import { loadTrainedImageModel } from './weights.ts';

export const ImageParitySchema = z.object({
  images: z.number().int().nonnegative(),
  /** Worst per-image cosine between the ONNX embedding (onnxruntime-web) and TF.js's. */
  minCosine: z.number(),
  /** Largest absolute difference over all embedding components. */
  maxAbsDiff: z.number(),
});
export type ImageParity = z.infer<typeof ImageParitySchema>;

/** The image export stage's export.json. */
export const ImageExportInfoSchema = ExportedOnnxSchema.extend({
  /** Parity with TF.js on real test images, per precision. */
  parity: perPrecision(ImageParitySchema),
  /** Test metrics through onnxruntime-web, per precision: what the edge will actually serve. */
  onnx: perPrecision(ImageMetricsSchema),
});
export type ImageExportInfo = z.infer<typeof ImageExportInfoSchema>;

const FILE_OF = { fp32: 'model', int8: 'modelInt8' } as const;

/**
 * Stage 3: writes model.onnx and model.int8.onnx, runs the ONNX checker on both, and embeds the whole
 * test set through onnxruntime-web with each, which gives both the parity with TF.js on real test images
 * and the test metrics of what the edge serves.
 */
export async function exportImageStage(runDir: string, progress: ProgressReporter): Promise<ImageExportInfo> {
  const { config, weights } = loadTrainedImageModel(runDir);
  const { test } = testSplit(config);
  const reference = embedSet(weights, test, config.normalization);
  const files = {} as ImageExportInfo['files'];
  const parity = {} as ImageExportInfo['parity'];
  const onnx = {} as ImageExportInfo['onnx'];
  let validatedBy: OnnxValidation = 'onnx.checker';
  for (const precision of ['fp32', 'int8'] as const) {
    const bytes = exportCnnOnnx(weights, { precision, docString: `${config.name} CNN image encoder` });
    const path = runPath(runDir, FILE_OF[precision]);
    writeFileAtomicSync(path, bytes);
    validatedBy = await checkExportedModel(path);
    files[precision] = { path, bytes: statSync(path).size };
    // Embedding and searching the whole test set takes tens of seconds per file: logged as it goes.
    const logAs = { log: (message: string) => progress.log(`${precision} ONNX: ${message}`) };
    const embeddings = await timedStep(logAs, `embedding ${test.count} test images`, () =>
      embedWithOnnx(bytes, weights, test, config.normalization),
    );
    parity[precision] = agreement(reference, embeddings, weights.shape.embeddingDim);
    onnx[precision] = imageMetrics(embeddings, weights.shape.embeddingDim, test.labels, config.seed, logAs);
    progress.log(
      `exported ${path} (${(files[precision].bytes / 1e6).toFixed(2)} MB, validated by ${validatedBy}); parity with ` +
        `TF.js on ${test.count} test images: min cosine ${parity[precision].minCosine.toFixed(6)}, max abs diff ` +
        `${parity[precision].maxAbsDiff.toExponential(2)}; test via onnxruntime-web: ${formatMetrics(headline(onnx[precision]))}`,
    );
    assertParity(runDir, precision, parity[precision].minCosine);
  }
  const info: ImageExportInfo = {
    files,
    validatedBy,
    int8SizeRatio: files.int8.bytes / files.fp32.bytes,
    parity,
    onnx,
  };
  writeRunFile(runDir, 'exportInfo', ImageExportInfoSchema, info);
  return info;
}

/** Embeds every image of `set` with an ONNX model through the edge's image embedder. */
export async function embedWithOnnx(
  model: Uint8Array,
  weights: CnnWeights,
  set: ImageSet,
  normalization: { mean: number; std: number },
): Promise<Float32Array> {
  const { height, width, embeddingDim } = weights.shape;
  const embedder = await createOnnxImageEmbedder({
    ort: nodeOrt(),
    model,
    io: CNN_ENCODER_IO,
    height,
    width,
    dim: embeddingDim,
  });
  try {
    const inputs = normalizePixels(set.pixels, normalization);
    const size = height * width;
    const rows = await embedder.embed(
      Array.from({ length: set.count }, (_, i) => inputs.subarray(i * size, (i + 1) * size)),
    );
    const out = new Float32Array(set.count * embeddingDim);
    rows.forEach((row, i) => out.set(row, i * embeddingDim));
    return out;
  } finally {
    await embedder.release();
  }
}

function agreement(expected: Float32Array, actual: Float32Array, dim: number): ImageParity {
  let minCosine = 1;
  let maxAbsDiff = 0;
  for (let row = 0; row < expected.length / dim; row++) {
    let dot = 0;
    let a2 = 0;
    let b2 = 0;
    for (let k = row * dim; k < (row + 1) * dim; k++) {
      dot += expected[k] * actual[k];
      a2 += expected[k] * expected[k];
      b2 += actual[k] * actual[k];
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(expected[k] - actual[k]));
    }
    minCosine = Math.min(minCosine, dot / Math.sqrt(a2 * b2));
  }
  return { images: expected.length / dim, minCosine, maxAbsDiff };
}
