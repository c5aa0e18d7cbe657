import { type CnnShape, CnnShapeSchema, cnnParamSpecs } from '../../trainer/tasks/image/cnn.ts';
import { AdamConfigSchema } from '../../trainer/train/adam.ts';
import { BENCHMARK_CLASSES } from './cnn-step.ts';
import { CLASSES, MLP_LEARNING_RATE, MLP_SHAPE } from './mlp.ts';
import { textEncoderSetup } from './text-encoder.ts';
import {
  MULTI_SIMILARITY,
  type PeerFeatureBatch,
  type PeerJob,
  type TimedJob,
  TRIPLET_MARGIN,
} from './torch-peer.ts';

/**
 * The peer's jobs, built from the same constants our steps use, each with the number of trainable
 * parameters ours has: a peer that counts otherwise is not training the same network.
 */
export interface PeerCase {
  job: PeerJob;
  ourParameters: number;
}

export function mlpPeerCase(batch: number, timing: TimedJob): PeerCase {
  const { inputDim, hidden, outputDim } = MLP_SHAPE;
  return {
    job: {
      model: 'mlp',
      batch,
      ...MLP_SHAPE,
      classes: CLASSES,
      margin: TRIPLET_MARGIN.margin,
      learningRate: MLP_LEARNING_RATE,
      ...timing,
    },
    ourParameters: (inputDim + 1) * hidden + (hidden + 1) * outputDim,
  };
}

/** The CNN as bench/train/cnn-step.ts times it: multi-similarity loss, Adam's defaults. */
export function cnnPeerCase(
  batch: number,
  timing: TimedJob,
  shape: CnnShape = CnnShapeSchema.parse({}),
): PeerCase {
  const ourParameters = cnnParamSpecs(shape)
    .filter((spec) => spec.trainable)
    .reduce((total, spec) => total + spec.dims.reduce((a, b) => a * b, 1), 0);
  const { alpha, beta, base } = MULTI_SIMILARITY;
  return {
    job: {
      model: 'cnn',
      batch,
      classes: BENCHMARK_CLASSES,
      learningRate: AdamConfigSchema.parse({}).learningRate,
      multiSimilarity: { alpha, beta, base },
      shape: { ...shape, convWidths: [...shape.convWidths] },
      ...timing,
    },
    ourParameters,
  };
}

/** Featurized batches the peer cycles through (ours featurizes each step's pairs itself). */
const TEXT_BATCHES = 4;

/**
 * The text encoder on the default config's first batches, featurized by ours. The peer writes out one
 * loss only: another default loss is a case the peer cannot run, said so.
 */
export function textPeerCase(timing: TimedJob): PeerCase | string {
  const { config, featurizer, batchPairs } = textEncoderSetup();
  if (config.loss.name !== 'multiple_negatives_ranking') {
    return `the peer has no ${config.loss.name} loss (it writes out multiple_negatives_ranking only)`;
  }
  const plain = (batch: { ids: Int32Array; weights: Float32Array; batch: number }): PeerFeatureBatch => ({
    ids: Array.from(batch.ids),
    weights: Array.from(batch.weights),
    batch: batch.batch,
    length: batch.ids.length / batch.batch,
  });
  const batches = Array.from({ length: TEXT_BATCHES }, (_, step) => {
    const pairs = batchPairs(step);
    return {
      anchors: plain(featurizer.featurizeBatch(pairs.map((p) => p.anchor))),
      positives: plain(featurizer.featurizeBatch(pairs.map((p) => p.positive))),
    };
  });
  const { embeddingDim, outputDim } = config.model;
  const { buckets } = featurizer.config;
  return {
    job: {
      model: 'text',
      buckets,
      embeddingDim,
      outputDim,
      scale: config.loss.scale,
      symmetric: config.loss.symmetric,
      learningRate: config.train.optimizer.learningRate,
      batches,
      ...timing,
    },
    ourParameters: buckets * embeddingDim + embeddingDim * outputDim + outputDim,
  };
}
