import { createTextFeaturizer, type TextFeaturizer } from '../../../../shared/featurizer/text.ts';
import type { TextEncoderWeights } from '../../../encoder/text-encoder.ts';
import { readRunJson, runPath } from '../../../pipeline/run-dir.ts';
import { loadCheckpoint } from '../../../train/checkpoint.ts';
import type { TextConfig } from '../config.ts';

export interface TrainedTextModel {
  config: TextConfig;
  featurizer: TextFeaturizer;
  weights: TextEncoderWeights;
}

/** The run's config, featurizer and best weights: what every stage after training starts from. */
export function loadTrainedTextModel(runDir: string): TrainedTextModel {
  const config = readRunJson<TextConfig>(runDir, 'config');
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
  return { config, featurizer, weights: { table, kernel, bias, buckets, embeddingDim, outputDim } };
}
