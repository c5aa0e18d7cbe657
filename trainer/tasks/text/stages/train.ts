import { dirname } from 'node:path';
import { z } from 'zod';
import { createTextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { mulberry32 } from '../../../../shared/random.ts';
import { type BackendInfo, describeBackend } from '../../../backend/index.ts';
import { embedBatch, initTextEncoder, type TextEncoderWeights } from '../../../encoder/text-encoder.ts';
import { createLoss } from '../../../metric/index.ts';
import { pinRunConfig, TrainedRunInfoSchema, trainAndRecord } from '../../../pipeline/train-run.ts';
import { pairLossOf } from '../../../train/pair-loss.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import type { TextConfig } from '../config.ts';
import { loadWordNetDataset } from '../data/wordnet-dataset.ts';
import { glossLemmaRetrievalSet, samplePairsEpoch } from '../data/wordnet-pairs.ts';
import { createTextPairModel } from '../model/text-pair-model.ts';
import { bucketDocumentFrequency, idfDocuments, scaleRowsByIdf } from '../similarity/idf-init.ts';
import { createMultiSourceModel } from '../similarity/multi-source-model.ts';
import { applySemanticInit } from '../similarity/semantic-init.ts';
import { buildTrainingMix, wordnetTexts } from '../similarity/training-mix.ts';
import { similarityValidation } from '../similarity/validation.ts';
import { evaluateTextRetrieval, headlineMetrics } from './retrieval-eval.ts';

/** The text train stage's run.json. */
export const TrainRunInfoSchema = TrainedRunInfoSchema.extend({
  trainSynsets: z.number().int().nonnegative(),
});
export type TrainRunInfo = z.infer<typeof TrainRunInfoSchema>;

/** Embeds texts with the TF.js model (the reference the ONNX files are checked against). */
export function tfjsEmbedder(
  weights: TextEncoderWeights,
  featurizer: ReturnType<typeof createTextFeaturizer>,
) {
  return async (texts: readonly string[]) => embedBatch(weights, featurizer.featurizeBatch(texts));
}

/**
 * Stage 1: trains the text encoder on WordNet pairs with the configured loss. Resumes from the run's
 * last checkpoint when one exists (the config must then be unchanged).
 */
export async function trainTextStage(options: {
  config: TextConfig;
  runDir: string;
  runId: string;
  version: string;
  backend: BackendInfo;
  progress: ProgressReporter;
}): Promise<TrainRunInfo> {
  const { config, runDir, progress } = options;
  pinRunConfig(runDir, config);

  const dataset = loadWordNetDataset({ seed: config.seed, ...config.data });
  progress.log(
    `data: WordNet ${dataset.all.length} synsets -> train ${dataset.train.length}, ` +
      `validation ${dataset.validation.length}, test ${dataset.test.length} (fingerprint ${dataset.fingerprint.slice(0, 12)})`,
  );
  const featurizer = createTextFeaturizer(config.featurizer);
  const weights = initTextEncoder(featurizer.config.buckets, config.model, config.seed);
  // A config with `sources` trains on a mix (text-sim/); without, on WordNet pairs alone as before.
  const mix = config.sources
    ? buildTrainingMix(config, dataset.train, dataset.fingerprint, featurizer)
    : undefined;
  for (const line of mix?.summary ?? []) progress.log(`source ${line}`);
  const initTexts = mix?.texts ?? wordnetTexts(dataset.train);
  if (config.idfInit) {
    const lemmas = new Set(dataset.train.flatMap((synset) => synset.lemmas));
    const documents = idfDocuments(initTexts, config.idfInit, lemmas);
    scaleRowsByIdf(weights, bucketDocumentFrequency(featurizer, documents), documents.length);
  }
  // After the IDF scaling: the trained rows replace the last columns and keep their own scale.
  if (config.semanticInit) {
    const runs = applySemanticInit(weights, featurizer, config.semanticInit, initTexts, dirname(runDir));
    progress.log(`semantic init: ${runs.join(' + ')} folded into the table's last columns`);
  }
  const validationSet = glossLemmaRetrievalSet(dataset.validation);
  const validate = async (w: TextEncoderWeights) => {
    const embed = tfjsEmbedder(w, featurizer);
    const retrieval = headlineMetrics(await evaluateTextRetrieval(embed, validationSet, w.outputDim));
    return mix ? { ...retrieval, ...(await similarityValidation(embed, w.outputDim, mix.data)) } : retrieval;
  };
  const { batchSize } = config.train;
  const stepsPerEpoch = Math.max(1, Math.floor(dataset.train.length / batchSize));
  const totalSteps = config.train.steps ?? Math.max(1, Math.round(config.train.epochs * stepsPerEpoch));

  const model = mix
    ? createMultiSourceModel({
        weights,
        adam: config.train.optimizer,
        update: config.train.update,
        sources: mix.sources,
        seed: config.seed,
        totalSteps,
        validate,
      })
    : createTextPairModel({
        weights,
        featurizer,
        adam: config.train.optimizer,
        loss: pairLossOf(createLoss(config.loss)),
        batchSize,
        epochPairs: (epoch) => samplePairsEpoch(dataset.train, mulberry32(config.seed * 100_003 + epoch)),
        validate,
      });
  progress.log(
    `training ${config.name} on ${describeBackend(options.backend)}: ${totalSteps} steps ` +
      `of ${batchSize} pairs` +
      (config.train.maxMinutes === undefined
        ? ', no time limit'
        : `, at most ${config.train.maxMinutes} min`),
  );
  return trainAndRecord(model, {
    ...options,
    totalSteps,
    batchSize,
    dataFingerprint: mix?.fingerprint ?? dataset.fingerprint,
    extra: { trainSynsets: dataset.train.length },
  });
}
