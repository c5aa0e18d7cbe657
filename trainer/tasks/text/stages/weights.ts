import { createTextFeaturizer, type TextFeaturizer } from '../../../../shared/featurizer/text.ts';
import type { TextEncoderWeights } from '../../../encoder/text-encoder.ts';
import { readRunFile, runPath } from '../../../pipeline/run-dir.ts';
import { loadCheckpoint } from '../../../train/checkpoint.ts';
import { type TextConfig, TextConfigSchema } from '../config.ts';

export interface TrainedTextModel {
  config: TextConfig;
  featurizer: TextFeaturizer;
  weights: TextEncoderWeights;
}

/** The run's config, featurizer and best weights: what every stage after training starts from. */
export function loadTrainedTextModel(runDir: string): TrainedTextModel {
  const config = readRunFile(runDir, 'config', TextConfigSchema);
  const featurizer = createTextFeaturizer(config.featurizer);
  const dir = runPath(runDir, 'bestCheckpoint');
  const checkpoint = loadCheckpoint(dir);
  if (!checkpoint) throw new Error(`${dir} has no checkpoint: train the run first (dml-edge train)`);
  const { table, kernel, bias } = checkpoint.arrays;
  const { embeddingDim, outputDim } = config.model;
  const buckets = featurizer.config.buckets;
  if (table?.length !== buckets * embeddingDim || kernel?.length !== embeddingDim * outputDim) {
    throw new Error(`${dir} does not match the run's config (table or kernel shape differs)`);
  }
  const shape = { buckets, embeddingDim, outputDim };
  const order = config.model.wordOrder;
  if (!order) return { config, featurizer, weights: { table, kernel, bias, ...shape } };
  const { 'wordOrder.mix': mix, 'wordOrder.mixBias': mixBias, 'wordOrder.out': out } = checkpoint.arrays;
  if (mix?.length !== order.width * embeddingDim * order.rank || out?.length !== order.rank * embeddingDim) {
    throw new Error(`${dir} does not match the run's config (word-order layer shape differs)`);
  }
  const wordOrder = { width: order.width, rank: order.rank, mix, mixBias, out };
  return { config, featurizer, weights: { table, kernel, bias, ...shape, wordOrder } };
}
