import { readFile } from 'node:fs/promises';
import type { FeatureBatch, TextFeaturizer } from '../../shared/featurizer/text.ts';
import { createOnnxTextEmbedder, type TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import { embedBatch as tfjsEmbedBatch } from '../../trainer/encoder/text-encoder.ts';
import { loadTrainedTextModel } from '../../trainer/tasks/text/stages/weights.ts';
import { nodeOrt } from '../../trainer/util/ort.ts';
import type { PublishedTextModel } from '../published.ts';
import { createNativeTextModel } from './ort-node.ts';

/** Runs the model on an already featurized batch; row-major [batch * dim]. */
export type ModelRun = (batch: FeatureBatch) => Promise<Float32Array> | Float32Array;

export interface EmbedEngines {
  /** Our edge embedder (onnxruntime-web WASM, one thread), the path the server runs. */
  edge: { fp32: TextEmbedder; int8: TextEmbedder };
  /** Model-only contenders by display name, all on the same two ONNX files or the same weights. */
  models: Record<string, ModelRun>;
  /** Why a contender is missing (e.g. the training run's folder is gone), for the notes. */
  notes: string[];
  release(): Promise<void>;
}

export const EDGE_FP32 = 'edge fp32 (onnxruntime-web WASM, 1 thread)';
export const EDGE_INT8 = 'edge int8 (onnxruntime-web WASM, 1 thread)';
export const NATIVE_FP32 = 'onnxruntime-node fp32 (1 thread)';
export const NATIVE_INT8 = 'onnxruntime-node int8 (1 thread)';
export const NATIVE_INT8_ALL_CORES = 'onnxruntime-node int8 (default threads)';
export const TFJS = 'TF.js fp32 (tfjs-backend-wasm, same weights)';

/** Opens every contender on the published model's files (and the run's checkpoint for TF.js). */
export async function openEmbedEngines(
  published: PublishedTextModel,
  featurizer: TextFeaturizer,
): Promise<EmbedEngines> {
  const { manifest } = published;
  const config = { io: published.input.onnx, dim: manifest.embedding.dim };
  const [fp32Bytes, int8Bytes] = await Promise.all(
    [published.modelPath, published.modelInt8Path].map(async (path) => new Uint8Array(await readFile(path))),
  );
  const ort = nodeOrt();
  const edge = {
    fp32: await createOnnxTextEmbedder({ ort, model: fp32Bytes, featurizer, ...config }),
    int8: await createOnnxTextEmbedder({ ort, model: int8Bytes, featurizer, ...config }),
  };
  const native = {
    fp32: await createNativeTextModel(fp32Bytes, config, 1),
    int8: await createNativeTextModel(int8Bytes, config, 1),
    int8AllCores: await createNativeTextModel(int8Bytes, config),
  };
  const models: Record<string, ModelRun> = {
    [EDGE_FP32]: (batch) => edge.fp32.embedBatch(batch),
    [EDGE_INT8]: (batch) => edge.int8.embedBatch(batch),
    [NATIVE_FP32]: (batch) => native.fp32.embedBatch(batch),
    [NATIVE_INT8]: (batch) => native.int8.embedBatch(batch),
    [NATIVE_INT8_ALL_CORES]: (batch) => native.int8AllCores.embedBatch(batch),
  };
  const notes: string[] = [];
  if (published.runDir) {
    await initBackend('wasm');
    const { weights } = loadTrainedTextModel(published.runDir);
    models[TFJS] = (batch) => tfjsEmbedBatch(weights, batch);
  } else {
    notes.push(
      `TF.js comparison skipped: the training run ${manifest.training.run_id} is not in the runs folder ` +
        '(its best checkpoint holds the weights); retrain with `npm start` to get it back.',
    );
  }
  return {
    edge,
    models,
    notes,
    async release() {
      await Promise.all([...Object.values(edge), ...Object.values(native)].map((engine) => engine.release()));
    },
  };
}

/** Largest absolute difference between two outputs: shows the contenders compute the same function. */
export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`outputs differ in length: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
