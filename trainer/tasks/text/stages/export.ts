import { statSync } from 'node:fs';
import type { z } from 'zod';
import { writeFileAtomicSync } from '../../../../shared/artifacts/atomic-fs.ts';
import { createOnnxTextEmbedder } from '../../../../shared/onnx/text-embedder.ts';
import { RetrievalMetricsSchema } from '../../../eval/retrieval.ts';
import { ExportedOnnxSchema, perPrecision } from '../../../export/export-info.ts';
import { checkExportedModel, type OnnxValidation } from '../../../export/onnx-check.ts';
import { exportTextEncoderOnnx, TEXT_ENCODER_IO } from '../../../export/onnx-text-encoder.ts';
import { measureParity, ParityReportSchema } from '../../../export/parity.ts';
import { assertParity } from '../../../export/parity-gate.ts';
import { runPath, writeRunFile } from '../../../pipeline/run-dir.ts';
import { formatMetrics } from '../../../train/loop.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { nodeOrt } from '../../../util/ort.ts';
import { loadWordNetDataset } from '../data/wordnet-dataset.ts';
import { glossLemmaRetrievalSet } from '../data/wordnet-pairs.ts';
import { loadSimilarityData } from '../similarity/benchmarks.ts';
import { datasetsDir } from '../similarity/datasets.ts';
import {
  evaluateSimilarity,
  flatSimilarityMetrics,
  SimilarityEvaluationSchema,
} from '../similarity/similarity-eval.ts';
import { embedTextsWith, evaluateTextRetrieval, headlineMetrics } from './retrieval-eval.ts';
import { loadTrainedTextModel } from './weights.ts';

/** The text export stage's export.json. */
export const TextExportInfoSchema = ExportedOnnxSchema.extend({
  parity: ParityReportSchema,
  /** Test retrieval through onnxruntime-web, per precision: what the edge will actually serve. */
  onnx: perPrecision(RetrievalMetricsSchema),
  /** STS-B dev and PAWS held-out through onnxruntime-web, per precision (empty without the datasets). */
  similarity: perPrecision(SimilarityEvaluationSchema),
});
export type TextExportInfo = z.infer<typeof TextExportInfoSchema>;

const PARITY_TEXTS = 1000;
const FILE_OF = { fp32: 'model', int8: 'modelInt8' } as const;

/**
 * Stage 3: writes model.onnx and model.int8.onnx, runs the ONNX checker on both, measures parity with
 * TF.js on held-out texts, and evaluates both files on the test set through onnxruntime-web.
 */
export async function exportTextStage(runDir: string, progress: ProgressReporter): Promise<TextExportInfo> {
  const { config, featurizer, weights } = loadTrainedTextModel(runDir);
  const ort = nodeOrt();
  const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
  const set = glossLemmaRetrievalSet(dataset.test);

  const similarityData = loadSimilarityData(datasetsDir(config.datasets));
  const files = {} as TextExportInfo['files'];
  const onnx = {} as TextExportInfo['onnx'];
  const similarity = {} as TextExportInfo['similarity'];
  let validatedBy: OnnxValidation = 'onnx.checker';
  for (const precision of ['fp32', 'int8'] as const) {
    const bytes = exportTextEncoderOnnx(weights, { precision, docString: `${config.name} text encoder` });
    const path = runPath(runDir, FILE_OF[precision]);
    writeFileAtomicSync(path, bytes);
    validatedBy = await checkExportedModel(path);
    files[precision] = { path, bytes: statSync(path).size };
    const embedder = await createOnnxTextEmbedder({
      ort,
      model: bytes,
      featurizer,
      io: TEXT_ENCODER_IO,
      dim: weights.outputDim,
    });
    try {
      const onnxProgress = { log: (message: string) => progress.log(`${precision} ONNX: ${message}`) };
      onnx[precision] = await evaluateTextRetrieval(
        embedTextsWith(embedder),
        set,
        weights.outputDim,
        onnxProgress,
      );
      similarity[precision] = await evaluateSimilarity(
        embedTextsWith(embedder),
        weights.outputDim,
        similarityData,
      );
    } finally {
      await embedder.release();
    }
    progress.log(
      `exported ${path} (${(files[precision].bytes / 1e6).toFixed(2)} MB, validated by ${validatedBy}); ` +
        `test via onnxruntime-web: ${formatMetrics({ ...headlineMetrics(onnx[precision]), ...flatSimilarityMetrics(similarity[precision]) })}`,
    );
  }
  const parityTexts = [...set.queries, ...set.references].slice(0, PARITY_TEXTS);
  const parity = await measureParity(weights, parityTexts, featurizer, ort);
  progress.log(
    `parity with TF.js on ${parity.texts} held-out texts: min cosine fp32 ${parity.fp32MinCosine.toFixed(6)}, ` +
      `int8 ${parity.int8MinCosine.toFixed(6)}`,
  );
  assertParity(runDir, 'fp32', parity.fp32MinCosine);
  assertParity(runDir, 'int8', parity.int8MinCosine);
  const info: TextExportInfo = {
    files,
    validatedBy,
    int8SizeRatio: files.int8.bytes / files.fp32.bytes,
    parity,
    onnx,
    similarity,
  };
  writeRunFile(runDir, 'exportInfo', TextExportInfoSchema, info);
  return info;
}
