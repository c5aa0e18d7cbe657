import { type CnnWeights, initCnn } from '../image/cnn.ts';
import type { ImageConfig } from '../image/image-config.ts';
import {
  embedSet,
  evaluateRawPixels,
  HEADLINE_METRICS,
  headline,
  type ImageMetrics,
  imageMetrics,
  marginOverBaselines,
} from '../image/image-metrics.ts';
import { loadImageDataset } from '../image/load-dataset.ts';
import { splitForProtocol } from '../image/protocols.ts';
import { formatMetrics } from '../train/loop.ts';
import { type ProgressReporter, timedStep } from '../train/progress.ts';
import { writeJsonAtomic } from '../util/atomic-write.ts';
import { loadTrainedImageModel } from './image-weights.ts';
import { runPath } from './run-dir.ts';

export interface ImageEvaluation {
  protocol: string;
  testImages: number;
  classNames: readonly string[];
  /** The trained CNN (best checkpoint) through TF.js. */
  tfjs: ImageMetrics;
  /** Computed in the same run on the same images: what training must beat. */
  baselines: {
    /** Each image's pixels as a vector (cosine). */
    rawPixels: ImageMetrics;
    /** The same CNN at its seeded initialisation. */
    untrained: ImageMetrics;
  };
  /** Per headline metric: the trained model minus the better of the two baselines (> 0 beats both). */
  marginOverBaselines: Record<string, number>;
}

/**
 * Stage 2: the protocol's test images (never used for training or model selection), each searched
 * against all the others, with the trained CNN and the two baselines.
 */
export async function evaluateImageStage(
  runDir: string,
  progress: ProgressReporter,
): Promise<ImageEvaluation> {
  const { config, weights } = loadTrainedImageModel(runDir);
  const { test, description } = testSplit(config);
  // On a 10,000-image test set each model's embedding, neighbour search and k-means take tens of seconds:
  // each logs its progress, prefixed with the model, so the stage is never silent.
  const logAs = (model: string) => ({ log: (message: string) => progress.log(`${model}: ${message}`) });
  const evaluateModel = (model: string, cnn: CnnWeights) => {
    const embeddings = timedStep(logAs(model), `embedding ${test.count} test images`, () =>
      embedSet(cnn, test, config.normalization),
    );
    return imageMetrics(embeddings, cnn.shape.embeddingDim, test.labels, config.seed, logAs(model));
  };
  const tfjs = evaluateModel('trained CNN', weights);
  const rawPixels = evaluateRawPixels(test, config.seed, logAs('raw pixels'));
  const untrained = evaluateModel('untrained CNN', initCnn(config.model, config.seed));
  const evaluation: ImageEvaluation = {
    protocol: description,
    testImages: test.count,
    classNames: test.classNames,
    tfjs,
    baselines: { rawPixels, untrained },
    marginOverBaselines: marginOverBaselines(tfjs.overall, [rawPixels.overall, untrained.overall]),
  };
  writeJsonAtomic(runPath(runDir, 'evaluation'), evaluation);
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
  return evaluation;
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
