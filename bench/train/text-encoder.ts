import { join } from 'node:path';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { initTextEncoder, mulberry32 } from '../../trainer/encoder/text-encoder.ts';
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

/**
 * The text encoder's real training step (trainer/tasks/text/model/text-pair-step.ts) with the default config's
 * featurizer, model shape, loss and Adam settings, on WordNet pairs; each run takes the next batch.
 */
export function textEncoderStep(): TrainStep {
  const config = loadTextConfig(join(REPO_ROOT, DEFAULT_TEXT_CONFIG));
  const featurizer = createTextFeaturizer(config.featurizer);
  const weights = initTextEncoder(featurizer.config.buckets, config.model, config.seed);
  const adam = createAdamState({ table: weights.table, kernel: weights.kernel, bias: weights.bias });
  const loss = createLoss(config.loss);
  const pairLoss = pairLossOf(loss);
  const batch = config.train.batchSize;
  const pairs = samplePairsEpoch(loadWordNet(), mulberry32(config.seed));
  let step = 0;
  return {
    batch,
    async run() {
      const start = (step++ * batch) % (pairs.length - batch);
      await textPairStep(
        weights,
        adam,
        config.train.optimizer,
        featurizer,
        pairs.slice(start, start + batch),
        pairLoss,
      );
    },
    dispose: () => loss.dispose(),
  };
}
