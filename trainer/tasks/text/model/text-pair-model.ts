import type { TextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { encoderParams, type TextEncoderWeights } from '../../../encoder/text-encoder.ts';
import { type AdamConfig, adamCheckpoint, createAdamState } from '../../../train/adam.ts';
import type { LoopModel } from '../../../train/loop.ts';
import type { PairLoss } from '../../../train/pair-loss.ts';
import type { TextPair } from '../data/wordnet-pairs.ts';
import { textPairStep } from './text-pair-step.ts';

export interface TextPairModelOptions {
  weights: TextEncoderWeights;
  featurizer: TextFeaturizer;
  adam: AdamConfig;
  loss: PairLoss;
  batchSize: number;
  /** The pairs of epoch `e`, a pure function of `e` so that a resumed run sees the same batches. */
  epochPairs: (epoch: number) => readonly TextPair[];
  validate: (weights: TextEncoderWeights) => Promise<Record<string, number>>;
}

/** The text encoder trained on positive pairs with an in-batch loss, as a LoopModel. */
export function createTextPairModel(options: TextPairModelOptions): LoopModel {
  const { weights, featurizer, batchSize } = options;
  const params = encoderParams(weights);
  const adam = createAdamState(params);
  const checkpoint = adamCheckpoint(params, adam);
  let cachedEpoch = -1;
  let cachedPairs: readonly TextPair[] = [];

  const pairsOf = (epoch: number) => {
    if (epoch !== cachedEpoch) {
      cachedPairs = options.epochPairs(epoch);
      cachedEpoch = epoch;
    }
    return cachedPairs;
  };

  return {
    step(stepIndex) {
      const stepsPerEpoch = Math.max(1, Math.floor(pairsOf(0).length / batchSize));
      const epoch = Math.floor(stepIndex / stepsPerEpoch);
      const start = (stepIndex % stepsPerEpoch) * batchSize;
      const batch = pairsOf(epoch).slice(start, start + batchSize);
      return textPairStep(weights, adam, options.adam, featurizer, batch, options.loss);
    },
    validate: () => options.validate(weights),
    ...checkpoint,
  };
}
