import type { TextFeatures } from '../../../../shared/featurizer/text.ts';
import { readRunFile, runPath } from '../../../pipeline/run-dir.ts';
import { loadCheckpoint } from '../../../train/checkpoint.ts';
import { type RecsConfig, RecsConfigSchema } from '../config.ts';
import { loadRecsDataset, type RecsDataset } from '../dataset.ts';
import { itemFeatures } from '../scoring.ts';
import { initRecsWeights, type RecsWeights, trainableArrays } from '../towers.ts';

export interface TrainedRecsModel {
  config: RecsConfig;
  dataset: RecsDataset;
  features: TextFeatures[];
  weights: RecsWeights;
}

/** The run's config, dataset, item features and best weights: what every stage after training starts from. */
export function loadTrainedRecsModel(runDir: string): TrainedRecsModel {
  const config = readRunFile(runDir, 'config', RecsConfigSchema);
  const dataset = loadRecsDataset(config.data);
  const dir = runPath(runDir, 'bestCheckpoint');
  const checkpoint = loadCheckpoint(dir);
  if (!checkpoint) throw new Error(`${dir} has no checkpoint: train the run first (dml-edge train)`);
  const weights = initRecsWeights(dataset.items.length, config.featurizer.buckets, config.model, config.seed);
  for (const [name, target] of Object.entries(trainableArrays(weights))) {
    const stored = checkpoint.arrays[name];
    if (stored?.length !== target.length) {
      throw new Error(`${dir}: ${name} does not match the run's config and data (its shape differs)`);
    }
    target.set(stored);
  }
  return { config, dataset, features: itemFeatures(dataset, config.featurizer), weights };
}
