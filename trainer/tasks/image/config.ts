import { z } from 'zod';
import { ModelNameSchema } from '../../../shared/manifest.ts';
import { parseOrThrow } from '../../../shared/validation.ts';
import { BACKEND_CHOICES } from '../../backend/index.ts';
import { LossConfigSchema, MinerConfigSchema } from '../../metric/index.ts';
import { AdamConfigSchema } from '../../train/adam.ts';
import { LearningRateDecaySchema } from '../../train/learning-rate-decay.ts';
import { readJsonFile } from '../../util/read-json-file.ts';
import { GreyAugmentConfigSchema } from './augment.ts';
import { CnnShapeSchema } from './cnn.ts';
import { ProjectionHeadConfigSchema } from './projection-head.ts';
import { SelfSupervisedTermSchema } from './self-supervised-term.ts';

const ClassList = z.array(z.number().int().min(0)).min(1);

/**
 * Which images train, select the model and test it:
 * - class-disjoint (Musgrave et al. 2020): the model trains on `trainClasses`, is selected (early
 *   stopping, best checkpoint) on `validationClasses`, held out of training, and is tested on the test
 *   split of `testClasses`, never seen before the test;
 * - class-disjoint-images: the same unseen test classes, but every one of `trainClasses` trains, and the
 *   model is selected on held-out images of those classes: slice `fold` of `folds` seeded slices of each
 *   class's training images (k-fold cross-validation over images); the test classes are never seen;
 * - catalogue: every class trains; a seeded `validation` fraction of each class's training images
 *   selects the model; the test split is searched against itself (a shop with known categories).
 */
export const ProtocolSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('class-disjoint'),
      trainClasses: ClassList,
      validationClasses: ClassList,
      testClasses: ClassList,
    })
    .strict()
    .refine(
      (p) => {
        const all = [...p.trainClasses, ...p.validationClasses, ...p.testClasses];
        return new Set(all).size === all.length;
      },
      { message: 'train, validation and test classes must not overlap' },
    )
    .refine((p) => p.validationClasses.length >= 2 && p.testClasses.length >= 2, {
      message: 'retrieval needs at least 2 validation and 2 test classes',
    }),
  z
    .object({
      kind: z.literal('class-disjoint-images'),
      trainClasses: ClassList,
      testClasses: ClassList,
      folds: z.number().int().min(2).default(10),
      fold: z.number().int().min(0).default(0),
    })
    .strict()
    .refine((p) => !p.testClasses.some((c) => p.trainClasses.includes(c)), {
      message: 'train and test classes must not overlap',
    })
    .refine((p) => p.trainClasses.length >= 2 && p.testClasses.length >= 2, {
      message: 'retrieval needs at least 2 training and 2 test classes',
    })
    .refine((p) => p.fold < p.folds, { message: 'fold must be below folds', path: ['fold'] }),
  z
    .object({
      kind: z.literal('catalogue'),
      validation: z.number().gt(0).lt(1).default(0.1),
    })
    .strict(),
]);
export type Protocol = z.infer<typeof ProtocolSchema>;

/** An image model's whole recipe: data, protocol, model, loss, training, index. Validated at load. */
export const ImageConfigSchema = z
  .object({
    /** Tells `dml-edge pipeline` which pipeline a config is for. */
    task: z.literal('image-similarity'),
    name: ModelNameSchema,
    seed: z.number().int().min(0).default(1),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    data: z.discriminatedUnion('source', [
      z
        .object({
          /** MNIST-layout IDX files (see idx-dataset.ts); without `dir`, Fashion-MNIST's usual places. */
          source: z.literal('idx'),
          dir: z.string().min(1).optional(),
          /** One name per label; defaults to Fashion-MNIST's ten. */
          classNames: z.array(z.string().min(1)).min(2).optional(),
        })
        .strict(),
      z
        .object({
          /** `dir/train/<class>/*.png|jpg` and `dir/test/<class>/*.png|jpg` (see image-folder.ts). */
          source: z.literal('folder'),
          dir: z.string().min(1),
        })
        .strict(),
    ]),
    protocol: ProtocolSchema,
    /** Model input = (pixel / 255 - mean) / std; the defaults are Fashion-MNIST's training statistics. */
    normalization: z
      .object({ mean: z.number().min(0).max(1), std: z.number().positive() })
      .strict()
      .default({ mean: 0.286, std: 0.353 }),
    model: CnnShapeSchema.default(CnnShapeSchema.parse({})),
    /** Training-only projection head; null trains the embedding directly. */
    head: ProjectionHeadConfigSchema.nullable().default(null),
    loss: LossConfigSchema,
    miner: MinerConfigSchema.optional(),
    /** The m_per_class sampler: batchSize / m classes per batch, m images of each. */
    sampler: z
      .object({ m: z.number().int().min(2).default(16), batchSize: z.number().int().min(4).default(128) })
      .strict()
      .refine((s) => s.batchSize % s.m === 0, { message: 'sampler.m must divide sampler.batchSize' })
      .default({ m: 16, batchSize: 128 }),
    augment: GreyAugmentConfigSchema.default(GreyAugmentConfigSchema.parse({})),
    /** Augmented views of each image per batch (2: SupCon / SimCLR style). */
    views: z.union([z.literal(1), z.literal(2)]).default(1),
    /** With views 2: an instance-discrimination term added to the supervised loss (see cnn-trainer.ts). */
    selfSupervised: SelfSupervisedTermSchema.optional(),
    train: z
      .object({
        epochs: z.number().positive().default(5),
        /** Wall-clock budget for training; the run stops cleanly when it is spent. */
        maxMinutes: z.number().positive().default(10),
        evalEvery: z.number().int().positive().default(100),
        patience: z.number().int().min(0).default(4),
        monitor: z.string().default('mean_average_precision_at_r'),
        optimizer: AdamConfigSchema.default(AdamConfigSchema.parse({ learningRate: 0.001 })),
        /** How every learning rate falls over the run's epochs (see learning-rate-decay.ts). */
        learningRateDecay: LearningRateDecaySchema.default('none'),
        weightDecay: z.number().min(0).default(0),
        lossLearningRateMultiplier: z.number().positive().default(1),
        /** Caps the validation images (seeded, stratified) so a validation stays quick. */
        validationItems: z.number().int().min(10).default(2000),
      })
      .strict(),
    /** Where the published collection comes from; without it the run is evaluated but not indexed or published. */
    index: z
      .object({
        collection: ModelNameSchema,
        description: z.string().optional(),
        batchSize: z.number().int().positive().default(256),
      })
      .strict()
      .optional(),
    serve: z.enum(['model', 'model_int8']).default('model_int8'),
    report: z
      .object({ mapItems: z.number().int().min(10).default(2000) })
      .strict()
      .default({ mapItems: 2000 }),
  })
  .strict()
  .refine((c) => !c.selfSupervised || (c.views === 2 && c.loss.name !== 'self_supervised'), {
    message: 'selfSupervised adds to a supervised loss and needs views: 2',
    path: ['selfSupervised'],
  });

export type ImageConfig = z.infer<typeof ImageConfigSchema>;

/** Reads and validates a config file; errors name the file and each bad field. */
export function loadImageConfig(path: string): ImageConfig {
  return parseImageConfig(readJsonFile(path), path);
}

export function parseImageConfig(json: unknown, source: string): ImageConfig {
  return parseOrThrow(ImageConfigSchema, json, `${source}: invalid config`);
}
