import { readRunFile, runPath } from '../../../pipeline/run-dir.ts';
import { loadCheckpoint } from '../../../train/checkpoint.ts';
import { type CnnWeights, checkCnnWeights, cnnParamSpecs } from '../cnn.ts';
import { type ImageConfig, ImageConfigSchema } from '../config.ts';

export interface TrainedImageModel {
  config: ImageConfig;
  weights: CnnWeights;
}

/** The run's config and the CNN of its best checkpoint: what every stage after training starts from. */
export function loadTrainedImageModel(runDir: string): TrainedImageModel {
  const config = readRunFile(runDir, 'config', ImageConfigSchema);
  const dir = runPath(runDir, 'bestCheckpoint');
  const checkpoint = loadCheckpoint(dir);
  if (!checkpoint) throw new Error(`${dir} has no checkpoint: train the run first`);
  const params = Object.fromEntries(
    cnnParamSpecs(config.model).map(({ name }) => [name, checkpoint.arrays[name] ?? new Float32Array(0)]),
  );
  const weights: CnnWeights = { shape: config.model, params };
  try {
    checkCnnWeights(weights);
  } catch (error) {
    throw new Error(`${dir} does not match the run's config: ${(error as Error).message}`);
  }
  return { config, weights };
}
