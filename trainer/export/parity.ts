import { z } from 'zod';
import type { TextFeaturizer } from '../../shared/featurizer/text.ts';
import { featureSubBatches } from '../../shared/onnx/sub-batches.ts';
import { createOnnxTextEmbedder, type OrtModule } from '../../shared/onnx/text-embedder.ts';
import { cosineSimilarity, norm } from '../../shared/vector.ts';
import { embedBatch, type TextEncoderWeights } from '../encoder/text-encoder.ts';
import { exportTextEncoderOnnx, type OnnxPrecision, TEXT_ENCODER_IO } from './onnx-text-encoder.ts';

export const ParityReportSchema = z.object({
  texts: z.number().int().nonnegative(),
  /** Worst per-text cosine between the ONNX embedding (onnxruntime-web) and TensorFlow.js's. */
  fp32MinCosine: z.number(),
  int8MinCosine: z.number(),
  /** Largest absolute difference over all embedding components. */
  fp32MaxAbsDiff: z.number(),
  int8MaxAbsDiff: z.number(),
});
export type ParityReport = z.infer<typeof ParityReportSchema>;

/**
 * Exports `weights` as fp32 and int8 ONNX (the exporter is deterministic, so these are the bytes that
 * ship), embeds `texts` with both through onnxruntime-web and compares them with the TensorFlow.js
 * forward `embedBatch`. The caller must have initialised a TensorFlow.js backend (initBackend).
 */
export async function measureParity(
  weights: TextEncoderWeights,
  texts: readonly string[],
  featurizer: TextFeaturizer,
  ort: OrtModule,
): Promise<ParityReport> {
  const reference = referenceEmbeddings(weights, texts, featurizer);
  const compare = async (precision: OnnxPrecision) => {
    const embedder = await createOnnxTextEmbedder({
      ort,
      model: exportTextEncoderOnnx(weights, { precision }),
      featurizer,
      io: TEXT_ENCODER_IO,
      dim: weights.outputDim,
    });
    try {
      return agreement(reference, await embedder.embed(texts));
    } finally {
      await embedder.release();
    }
  };
  const fp32 = await compare('fp32');
  const int8 = await compare('int8');
  return {
    texts: texts.length,
    fp32MinCosine: fp32.minCosine,
    int8MinCosine: int8.minCosine,
    fp32MaxAbsDiff: fp32.maxAbsDiff,
    int8MaxAbsDiff: int8.maxAbsDiff,
  };
}

/** TensorFlow.js embeddings, run in the same sub-batches the ONNX embedder uses to bound memory. */
function referenceEmbeddings(
  weights: TextEncoderWeights,
  texts: readonly string[],
  featurizer: TextFeaturizer,
): Float32Array[] {
  const dim = weights.outputDim;
  const embeddings = new Array<Float32Array>(texts.length);
  for (const { rows: group, batch } of featureSubBatches(featurizer, texts)) {
    const flat = embedBatch(weights, batch);
    group.forEach((index, row) => {
      embeddings[index] = flat.slice(row * dim, (row + 1) * dim);
    });
  }
  return embeddings;
}

function agreement(
  expected: Float32Array[],
  actual: Float32Array[],
): { minCosine: number; maxAbsDiff: number } {
  let minCosine = 1;
  let maxAbsDiff = 0;
  expected.forEach((a, i) => {
    const b = actual[i];
    // Two zero vectors (an empty text with a zero bias) agree, though cosine calls them unrelated.
    const bothZero = norm(a) === 0 && norm(b) === 0;
    minCosine = Math.min(minCosine, bothZero ? 1 : cosineSimilarity(a, b));
    for (let k = 0; k < a.length; k++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[k] - b[k]));
  });
  return { minCosine, maxAbsDiff };
}
