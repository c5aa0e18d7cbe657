import { statSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomicSync } from '../../../../shared/artifacts/atomic-fs.ts';
import { createTextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { recentDistinct, userVector } from '../../../../shared/recs/user-vector.ts';
import { JsonNumberSchema } from '../../../../shared/validation.ts';
import { cosineSimilarity } from '../../../../shared/vector.ts';
import { ExportedOnnxSchema } from '../../../export/export-info.ts';
import { checkExportedModel, type OnnxValidation } from '../../../export/onnx-check.ts';
import { exportTextEncoderOnnx } from '../../../export/onnx-text-encoder.ts';
import { measureParity, ParityReportSchema } from '../../../export/parity.ts';
import { assertParity } from '../../../export/parity-gate.ts';
import { runPath, writeRunFile } from '../../../pipeline/run-dir.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { nodeOrt } from '../../../util/ort.ts';
import { rankingCases, rankingMetrics } from '../evaluate.ts';
import { allItemVectors, userVectorsFrom } from '../inference.ts';
import { itemText } from '../item-text.ts';
import { itemScores } from '../scoring.ts';
import { loadTrainedRecsModel } from './weights.ts';

export const UserTowerParitySchema = z.object({
  users: z.number().int().nonnegative(),
  /** Worst cosine between the edge's user vector (plain math over stored item vectors) and TF.js's. */
  minCosine: z.number(),
  maxAbsDiff: z.number(),
});
export type UserTowerParity = z.infer<typeof UserTowerParitySchema>;

/** The recommendation export stage's export.json. */
export const RecsExportInfoSchema = ExportedOnnxSchema.extend({
  /** The content encoder (new items' vectors): ONNX through onnxruntime-web against TF.js. */
  contentParity: ParityReportSchema,
  userParity: UserTowerParitySchema,
  /** Test metrics with user vectors computed as the edge computes them (shared/recs/user-vector.ts). */
  served: z.record(z.string(), JsonNumberSchema),
});
export type RecsExportInfo = z.infer<typeof RecsExportInfoSchema>;

const FILE_OF = { fp32: 'model', int8: 'modelInt8' } as const;
const PARITY_ITEMS = 1000;

/**
 * Stage 3: the ONNX files are the content encoder, which gives an item with no interactions (a new one)
 * its vector: normalize(content(i)). The user tower is not a file: the edge applies it to stored item
 * vectors with the weights from the manifest, so this stage checks that path against TF.js for every
 * test user and re-evaluates the test set through it.
 */
export async function exportRecsStage(runDir: string, progress: ProgressReporter): Promise<RecsExportInfo> {
  const { config, dataset, features, weights } = loadTrainedRecsModel(runDir);
  const files = {} as RecsExportInfo['files'];
  let validatedBy: OnnxValidation = 'onnx.checker';
  for (const precision of ['fp32', 'int8'] as const) {
    const bytes = exportTextEncoderOnnx(weights.content, {
      precision,
      docString: `${config.name} item content encoder: title and categories to a new item's vector`,
    });
    const path = runPath(runDir, FILE_OF[precision]);
    writeFileAtomicSync(path, bytes);
    validatedBy = await checkExportedModel(path);
    files[precision] = { path, bytes: statSync(path).size };
    progress.log(
      `exported ${path} (${(files[precision].bytes / 1e6).toFixed(2)} MB, validated by ${validatedBy})`,
    );
  }
  const texts = dataset.items.slice(0, PARITY_ITEMS).map(itemText);
  const contentParity = await measureParity(
    weights.content,
    texts,
    createTextFeaturizer(config.featurizer),
    nodeOrt(),
  );
  progress.log(
    `content encoder parity with TF.js on ${texts.length} items: min cosine fp32 ` +
      `${contentParity.fp32MinCosine.toFixed(6)}, int8 ${contentParity.int8MinCosine.toFixed(6)}`,
  );
  assertParity(runDir, 'fp32', contentParity.fp32MinCosine);
  assertParity(runDir, 'int8', contentParity.int8MinCosine);

  // What the edge does: stored item vectors (float32, as in the index), the shared user tower.
  const { dim } = weights;
  const items = allItemVectors(weights, features);
  const cases = rankingCases(dataset, 'test');
  const { recentItems, recencyDecay } = config.model;
  const tower = { dim, kernel: weights.userKernel, bias: weights.userBias, recencyDecay };
  const edgeUsers = cases.map((c) =>
    userVector(
      recentDistinct(c.history, recentItems).map((item) => items.subarray(item * dim, (item + 1) * dim)),
      tower,
    ),
  );
  const reference = userVectorsFrom(
    weights,
    items,
    cases.map((c) => c.history),
    config.model,
  );
  const userParity = agreement(edgeUsers, reference, dim);
  const served = rankingMetrics(cases, (i) => itemScores(items, edgeUsers[i], dim), dataset.items.length);
  progress.log(
    `user tower parity (edge math vs TF.js) on ${userParity.users} test users: min cosine ` +
      `${userParity.minCosine.toFixed(6)}, max abs diff ${userParity.maxAbsDiff.toExponential(2)}`,
  );

  const info: RecsExportInfo = {
    files,
    validatedBy,
    int8SizeRatio: files.int8.bytes / files.fp32.bytes,
    contentParity,
    userParity,
    served,
  };
  writeRunFile(runDir, 'exportInfo', RecsExportInfoSchema, info);
  return info;
}

function agreement(actual: Float32Array[], expected: Float32Array, dim: number): UserTowerParity {
  let minCosine = 1;
  let maxAbsDiff = 0;
  actual.forEach((vector, user) => {
    const reference = expected.subarray(user * dim, (user + 1) * dim);
    minCosine = Math.min(minCosine, cosineSimilarity(vector, reference));
    for (let d = 0; d < dim; d++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(vector[d] - reference[d]));
  });
  return { users: actual.length, minCosine, maxAbsDiff };
}
