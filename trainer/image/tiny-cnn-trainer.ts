import { createLoss, createSampler, type LossConfigInput } from '../metric/index.ts';
import { AdamConfigSchema } from '../train/adam.ts';
import { GreyAugmentConfigSchema } from './augment.ts';
import { type CnnShape, CnnShapeSchema, initCnn } from './cnn.ts';
import { type CnnTrainerOptions, createCnnTrainer } from './cnn-trainer.ts';
import { syntheticShapes } from './synthetic-shapes.ts';

/** Test-only: a small CNN trainer on synthetic shapes (6 classes, 16 images each), seeded. */
export const TINY_CNN_SHAPE: Partial<CnnShape> = { convWidths: [4, 8], embeddingDim: 16 };
export const TINY_NORMALIZATION = { mean: 0.1, std: 0.3 };
export const tinyTrainImages = syntheticShapes({ perClass: 16, seed: 1 });

export function tinyCnnTrainer(
  overrides: Partial<CnnTrainerOptions> & { lossConfig?: LossConfigInput } = {},
) {
  const { lossConfig, ...rest } = overrides;
  const weights = initCnn(CnnShapeSchema.parse(TINY_CNN_SHAPE), 3);
  return {
    weights,
    model: createCnnTrainer({
      weights,
      images: tinyTrainImages,
      normalization: TINY_NORMALIZATION,
      sampler: createSampler(
        { name: 'm_per_class', m: 4, batch_size: 24, length: tinyTrainImages.count, seed: 1 },
        tinyTrainImages.labels,
      ),
      loss: createLoss(lossConfig ?? { name: 'multi_similarity' }),
      views: 1,
      adam: AdamConfigSchema.parse({ learningRate: 0.01 }),
      weightDecay: 0,
      lossLearningRateMultiplier: 1,
      augment: GreyAugmentConfigSchema.parse({ shift: 1, flip: 0, noise: 0 }),
      seed: 5,
      validate: async () => ({}),
      ...rest,
    }),
  };
}
