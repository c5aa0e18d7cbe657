import { z } from 'zod';
import { JsonNumberSchema } from '../../../../shared/validation.ts';
import { type BackendInfo, describeBackend } from '../../../backend/index.ts';
import { createLoss, createMiner, createSampler } from '../../../metric/index.ts';
import { pinRunConfig, TrainedRunInfoSchema, trainAndRecord } from '../../../pipeline/train-run.ts';
import type { LoopResult } from '../../../train/loop.ts';
import type { ProgressReporter } from '../../../train/progress.ts';
import { initCnn } from '../cnn.ts';
import { createCnnTrainer } from '../cnn-trainer.ts';
import type { ImageConfig } from '../config.ts';
import { evaluateCnn, headline } from '../image-metrics.ts';
import { loadImageDataset } from '../load-dataset.ts';
import { initHead } from '../projection-head.ts';
import { splitForProtocol } from '../protocols.ts';
import { createSelfSupervisedTerm } from '../self-supervised-term.ts';

/** The image train stage's run.json. */
export const ImageTrainRunInfoSchema = TrainedRunInfoSchema.extend({
  dataDir: z.string(),
  protocol: z.string(),
  /** Mean training throughput over the run (forward, backward and update of every image). */
  samplesPerSecond: JsonNumberSchema,
  trainImages: z.number().int().nonnegative(),
  validationImages: z.number().int().nonnegative(),
});
export type ImageTrainRunInfo = z.infer<typeof ImageTrainRunInfoSchema>;

/** The seed of the projection head's initialisation, apart from the encoder's. */
const HEAD_SEED_OFFSET = 101;

/**
 * Stage 1: trains the CNN with the configured loss, miner and m_per_class batches on the protocol's
 * training images, validating on its held-out images (or classes) to keep the best checkpoint and stop
 * early. Resumes from the run's last checkpoint when one exists (the config must then be unchanged).
 */
export async function trainImageStage(options: {
  config: ImageConfig;
  runDir: string;
  runId: string;
  version: string;
  backend: BackendInfo;
  progress: ProgressReporter;
}): Promise<ImageTrainRunInfo> {
  const { config, progress } = options;
  pinRunConfig(options.runDir, config);

  const dataset = loadImageDataset(config);
  const split = splitForProtocol(dataset, config.protocol, config.seed, config.train.validationItems);
  progress.log(
    `data: ${dataset.dir} (fingerprint ${dataset.fingerprint.slice(0, 12)}); ${split.description}; ` +
      `${split.train.count} training, ${split.validation.count} validation, ${split.test.count} test images`,
  );

  const weights = initCnn(config.model, config.seed);
  const head = config.head
    ? {
        config: config.head,
        params: initHead(config.model.embeddingDim, config.head, config.seed + HEAD_SEED_OFFSET),
      }
    : undefined;
  const loss = createLoss(config.loss);
  const selfSupervised = config.selfSupervised && createSelfSupervisedTerm(config.selfSupervised);
  const { batchSize, m } = config.sampler;
  const sampler = createSampler(
    { name: 'm_per_class', m, batch_size: batchSize, length: split.train.count, seed: config.seed },
    split.train.labels,
  );
  const stepsPerEpoch = sampler.epoch(0).length;
  const totalSteps = Math.max(1, Math.round(config.train.epochs * stepsPerEpoch));
  const trainer = createCnnTrainer({
    weights,
    head,
    images: split.train,
    normalization: config.normalization,
    sampler,
    loss,
    miner: config.miner ? createMiner(config.miner) : undefined,
    views: config.views,
    selfSupervised,
    adam: config.train.optimizer,
    learningRateDecay: { decay: config.train.learningRateDecay, totalSteps },
    weightDecay: config.train.weightDecay,
    lossLearningRateMultiplier: config.train.lossLearningRateMultiplier,
    augment: config.augment,
    seed: config.seed,
    validate: async (w) => headline(evaluateCnn(w, split.validation, config.normalization, config.seed)),
  });
  progress.log(
    `training ${config.name} on ${describeBackend(options.backend)}: ${totalSteps} steps ` +
      `of ${batchSize} images (${m} per class) x ${config.views} view(s), loss ${config.loss.name}` +
      `${config.miner ? ` with miner ${config.miner.name}` : ''}` +
      `${config.selfSupervised ? ` plus ${config.selfSupervised.weight} x NT-Xent over the views` : ''}, at most ${config.train.maxMinutes} min`,
  );
  const imagesPerStep = batchSize * config.views;
  try {
    return await trainAndRecord(trainer, {
      ...options,
      totalSteps,
      batchSize: imagesPerStep,
      dataFingerprint: dataset.fingerprint,
      extra: (result) => ({
        dataDir: dataset.dir,
        protocol: split.description,
        samplesPerSecond: meanThroughput(result, imagesPerStep),
        trainImages: split.train.count,
        validationImages: split.validation.count,
      }),
    });
  } finally {
    trainer.dispose();
    loss.dispose();
    selfSupervised?.dispose();
  }
}

/**
 * Training images per second: the mean of the loop's logged windows (validations excluded), or, for a run
 * shorter than one window, over the whole run.
 */
function meanThroughput(result: LoopResult, imagesPerStep: number): number {
  const windows = result.state.history.train;
  if (windows.length === 0) return (result.state.step * imagesPerStep) / Math.max(result.state.seconds, 1e-9);
  return windows.reduce((sum, w) => sum + w.samplesPerSecond, 0) / windows.length;
}
