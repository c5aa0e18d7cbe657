import { z } from 'zod';
import { mulberry32 } from '../../../../shared/random.ts';
import { JsonNumberSchema } from '../../../../shared/validation.ts';
import { DEFAULT_VERIFICATION_FAR } from '../../../eval/verification.ts';
import { writeRunFile } from '../../../pipeline/run-dir.ts';
import {
  describeVerification,
  evaluateVerification,
  samplePairScores,
  VerificationEvaluationSchema,
} from '../../../pipeline/verification-eval.ts';
import { formatMetrics } from '../../../train/loop.ts';
import { type ProgressReporter, timedStep } from '../../../train/progress.ts';
import { type CnnWeights, initCnn } from '../cnn.ts';
import type { ImageConfig } from '../config.ts';
import {
  embedSet,
  evaluateRawPixels,
  HEADLINE_METRICS,
  headline,
  ImageMetricsSchema,
  imageMetrics,
  marginOverBaselines,
} from '../image-metrics.ts';
import { loadImageDataset } from '../load-dataset.ts';
import { splitForProtocol } from '../protocols.ts';
import { loadTrainedImageModel } from './weights.ts';

/** The image evaluate stage's eval.json. */
export const ImageEvaluationSchema = z.object({
  protocol: z.string(),
  testImages: z.number().int().nonnegative(),
  classNames: z.array(z.string()).readonly(),
  /** The trained CNN (best checkpoint) through TF.js. */
  tfjs: ImageMetricsSchema,
  /** Computed in the same run on the same images: what training must beat. */
  baselines: z.object({
    /** Each image's pixels as a vector (cosine). */
    rawPixels: ImageMetricsSchema,
    /** The same CNN at its seeded initialisation. */
    untrained: ImageMetricsSchema,
  }),
  /** Per headline metric: the trained model minus the better of the two baselines (> 0 beats both). */
  marginOverBaselines: z.record(z.string(), JsonNumberSchema),
  /** Same class or not, by a threshold for a false-accept rate; absent in runs evaluated before it existed. */
  verification: VerificationEvaluationSchema.optional(),
});
export type ImageEvaluation = z.infer<typeof ImageEvaluationSchema>;

/**
 * Stage 2: the protocol's test images (never used for training or model selection), each searched
 * against all the others, with the trained CNN and the two baselines.
 */
export async function evaluateImageStage(
  runDir: string,
  progress: ProgressReporter,
): Promise<ImageEvaluation> {
  const { config, weights } = loadTrainedImageModel(runDir);
  const { test, validation, description } = testSplit(config);
  // On a 10,000-image test set each model's embedding, neighbour search and k-means take tens of seconds:
  // each logs its progress, prefixed with the model, so the stage is never silent.
  const logAs = (model: string) => ({ log: (message: string) => progress.log(`${model}: ${message}`) });
  const evaluateModel = (model: string, cnn: CnnWeights) => {
    const embeddings = timedStep(logAs(model), `embedding ${test.count} test images`, () =>
      embedSet(cnn, test, config.normalization),
    );
    return imageMetrics(embeddings, cnn.shape.embeddingDim, test.labels, config.seed, logAs(model));
  };
  const dim = weights.shape.embeddingDim;
  const trainedTest = timedStep(logAs('trained CNN'), `embedding ${test.count} test images`, () =>
    embedSet(weights, test, config.normalization),
  );
  const tfjs = imageMetrics(trainedTest, dim, test.labels, config.seed, logAs('trained CNN'));
  const verification = timedStep(progress, 'verification threshold calibration', () =>
    evaluateVerification({
      validation: classPairScores(
        embedSet(weights, validation, config.normalization),
        dim,
        validation.labels,
        config.seed + 17,
      ),
      test: classPairScores(trainedTest, dim, test.labels, config.seed + 19),
      targetFar: DEFAULT_VERIFICATION_FAR,
      calibratedOn: `${validation.count} validation images, each against ${IMAGE_PAIRS_PER_ROW} others at random (same class or not); judged on the test images`,
    }),
  );
  const rawPixels = evaluateRawPixels(test, config.seed, logAs('raw pixels'));
  const untrained = evaluateModel('untrained CNN', initCnn(config.model, config.seed));
  const evaluation: ImageEvaluation = {
    protocol: description,
    testImages: test.count,
    classNames: test.classNames,
    tfjs,
    baselines: { rawPixels, untrained },
    marginOverBaselines: marginOverBaselines(tfjs.overall, [rawPixels.overall, untrained.overall]),
    verification,
  };
  writeRunFile(runDir, 'evaluation', ImageEvaluationSchema, evaluation);
  progress.log(`test (${test.count} images; ${description})`);
  progress.log(`  trained CNN:   ${formatMetrics(headline(tfjs))}`);
  progress.log(`  raw pixels:    ${formatMetrics(headline(rawPixels))}`);
  progress.log(`  untrained CNN: ${formatMetrics(headline(untrained))}`);
  const behind = HEADLINE_METRICS.filter((name) => evaluation.marginOverBaselines[name] <= 0);
  progress.log(
    behind.length === 0
      ? '  the trained CNN beats both baselines on every metric'
      : `  the trained CNN does not beat both baselines on ${behind.join(', ')}`,
  );
  progress.log(`  ${describeVerification(verification)}`);
  return evaluation;
}

/** Pairs drawn per image for verification: 1,000 validation images give 50,000 pairs. */
const IMAGE_PAIRS_PER_ROW = 50;

/** Verification pairs of a set of images: each with IMAGE_PAIRS_PER_ROW others at random; same class = genuine. */
function classPairScores(embeddings: Float32Array, dim: number, labels: Int32Array, seed: number) {
  return samplePairScores({
    a: embeddings,
    b: embeddings,
    dim,
    perRow: IMAGE_PAIRS_PER_ROW,
    random: mulberry32(seed),
    diagonal: false,
    judge: (i, j) => labels[i] === labels[j],
  });
}

/** The protocol's test images, as the train stage split them (the split is seeded, so it is the same). */
export function testSplit(config: ImageConfig) {
  return splitForProtocol(
    loadImageDataset(config),
    config.protocol,
    config.seed,
    config.train.validationItems,
  );
}
