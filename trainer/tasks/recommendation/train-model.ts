import type { TextFeatures } from '../../../shared/featurizer/text.ts';
import type { Sampler } from '../../metric/index.ts';
import type { AdamConfig } from '../../train/adam.ts';
import { adamCheckpoint, createAdamState } from '../../train/adam.ts';
import type { LoopModel } from '../../train/loop.ts';
import type { NextItemExamples } from './examples.ts';
import type { RecsLoss } from './loss.ts';
import { recsStep } from './step.ts';
import { type RecsWeights, trainableArrays } from './towers.ts';

export interface RecsModelOptions {
  weights: RecsWeights;
  examples: NextItemExamples;
  features: readonly TextFeatures[];
  logQ: Float32Array;
  loss: RecsLoss;
  /** Batches of example indices per epoch, the same for the same epoch (so a resumed run sees them again). */
  sampler: Sampler;
  idDropout: number;
  adam: AdamConfig;
  seed: number;
  validate: (weights: RecsWeights) => Promise<Record<string, number>>;
}

/** The two towers trained on next-item examples, as a LoopModel. */
export function createRecsModel(options: RecsModelOptions): LoopModel {
  const { weights } = options;
  const params = trainableArrays(weights);
  const adam = createAdamState(params);
  const context = { ...options, adam, adamConfig: options.adam };
  // Epochs can differ in length (the sampler drops batches it cannot fill without duplicates), so steps
  // map to (epoch, batch) by counting batches epoch by epoch; only the current epoch is kept.
  let epoch = 0;
  let firstStep = 0;
  let batches = options.sampler.epoch(0);

  const batchAt = (step: number) => {
    if (step < firstStep) {
      epoch = 0;
      firstStep = 0;
      batches = options.sampler.epoch(0);
    }
    while (step >= firstStep + batches.length) {
      if (batches.length === 0) throw new Error(`epoch ${epoch} has no batch: fewer examples than one batch`);
      firstStep += batches.length;
      epoch += 1;
      batches = options.sampler.epoch(epoch);
    }
    return batches[step - firstStep];
  };

  return {
    step: (step) => recsStep(weights, context, batchAt(step), options.seed * 1_000_003 + step),
    validate: () => options.validate(weights),
    ...adamCheckpoint(params, adam),
  };
}
