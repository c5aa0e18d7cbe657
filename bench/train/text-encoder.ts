import { join } from 'node:path';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { mulberry32 } from '../../shared/random.ts';
import { initTextEncoder } from '../../trainer/encoder/text-encoder.ts';
import { createLoss } from '../../trainer/metric/index.ts';
import { loadTextConfig } from '../../trainer/tasks/text/config.ts';
import { loadWordNet } from '../../trainer/tasks/text/data/wordnet.ts';
import { samplePairsEpoch } from '../../trainer/tasks/text/data/wordnet-pairs.ts';
import { textPairStep } from '../../trainer/tasks/text/model/text-pair-step.ts';
import { createAdamState } from '../../trainer/train/adam.ts';
import { pairLossOf } from '../../trainer/train/pair-loss.ts';
import { REPO_ROOT } from '../paths.ts';
import { DEFAULT_TEXT_CONFIG } from '../published.ts';
import type { TrainStep } from './step.ts';

/** The default text config, its featurizer and its seeded WordNet pairs: what the step trains on. */
export function textEncoderSetup() {
  const config = loadTextConfig(join(REPO_ROOT, DEFAULT_TEXT_CONFIG));
  const featurizer = createTextFeaturizer(config.featurizer);
  const pairs = samplePairsEpoch(loadWordNet(), mulberry32(config.seed));
  const batch = config.train.batchSize;
  /** The pairs of step `step`: consecutive batches, wrapping around. */
  const batchPairs = (step: number) => {
    const start = (step * batch) % (pairs.length - batch);
    return pairs.slice(start, start + batch);
  };
  return { config, featurizer, batch, batchPairs };
}

/**
 * The text encoder's real training step (trainer/tasks/text/model/text-pair-step.ts) with the default config's
 * featurizer, model shape, loss and Adam settings, on WordNet pairs; each run takes the next batch.
 */
export function textEncoderStep(): TrainStep {
  const { config, featurizer, batch, batchPairs } = textEncoderSetup();
  const weights = initTextEncoder(featurizer.config.buckets, config.model, config.seed);
  const adam = createAdamState({ table: weights.table, kernel: weights.kernel, bias: weights.bias });
  const loss = createLoss(config.loss);
  const pairLoss = pairLossOf(loss);
  let step = 0;
  return {
    batch,
    async run() {
      await textPairStep(weights, adam, config.train.optimizer, featurizer, batchPairs(step++), pairLoss);
    },
    dispose: () => loss.dispose(),
  };
}
