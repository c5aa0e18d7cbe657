import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { TextFeaturizerConfigSchema } from '../../../shared/featurizer/text.ts';
import { ModelNameSchema } from '../../../shared/manifest.ts';
import { parseOrThrow } from '../../../shared/validation.ts';
import { BACKEND_CHOICES } from '../../backend/index.ts';
import { LossConfigSchema } from '../../metric/index.ts';
import { AdamConfigSchema } from '../../train/adam.ts';
import { readJsonFile } from '../../util/read-json-file.ts';
import { InteractionColumnsSchema } from './interactions.ts';
import { ItemColumnsSchema } from './items.ts';

/** A recommendation model's whole recipe: data, split, towers, loss, training, evaluation, index. */
export const RecsConfigSchema = z
  .object({
    /** Tells a recommendation config from a text one (the CLI runs the matching pipeline). */
    task: z.literal('recommendation').default('recommendation'),
    name: ModelNameSchema,
    seed: z.number().int().min(0).default(1),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    data: z
      .object({
        /** Interaction CSVs (a dataset, then e.g. the events recorded since), relative to the config file. */
        interactions: z.array(z.string().min(1)).min(1),
        /** The item metadata CSV, relative to the config file. */
        items: z.string().min(1),
        interactionColumns: InteractionColumnsSchema.prefault({}),
        itemColumns: ItemColumnsSchema.prefault({}),
        /** Fail on the first bad rows instead of skipping and counting them. */
        strict: z.boolean().default(false),
        /** Implicit feedback: interactions rated at least this are positives; null makes every one positive. */
        positiveRating: z.number().nullable().default(4),
      })
      .strict(),
    /** Featurizes each item's title and categories for the item tower's content part. */
    featurizer: TextFeaturizerConfigSchema.prefault({ buckets: 1 << 15 }),
    model: z
      .object({
        /** Dimensions of item and user vectors. */
        dim: z.number().int().min(2).max(1024).default(64),
        /** Dimensions of the content tower's feature rows (before its dense layer). */
        embeddingDim: z.number().int().min(2).max(1024).default(64),
        /** The user vector pools this many of the user's most recent positive items. */
        recentItems: z.number().int().min(1).max(1000).default(20),
        /** Pooling weight of each older recent item relative to the next newer one; 1 is a plain mean. */
        recencyDecay: z.number().gt(0).max(1).default(1),
        /** Chance that an item's id embedding is left out in a step, so content alone must place it too. */
        idDropout: z.number().min(0).lt(1).default(0.2),
      })
      .strict()
      .prefault({}),
    /** Any loss of the metric library; users are anchors, their next items the positives. */
    loss: LossConfigSchema,
    /**
     * logQ correction of in-batch negatives (Yi et al. 2019): only with multiple_negatives_ranking, whose
     * in-batch softmax otherwise punishes popular items for being sampled often as negatives.
     */
    popularityCorrection: z.boolean().default(false),
    train: z
      .object({
        batchSize: z.number().int().min(2).max(4096).default(256),
        epochs: z.number().positive().default(10),
        maxMinutes: z.number().positive().default(6),
        evalEvery: z.number().int().positive().default(100),
        patience: z.number().int().min(0).default(4),
        monitor: z.string().default('ndcg_at_10'),
        optimizer: AdamConfigSchema.prefault({}),
      })
      .strict(),
    evaluation: z
      .object({
        /** Publishing refuses a model that does not beat most-popular and item-kNN on HR@10 and NDCG@10. */
        mustBeatBaselines: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    index: z
      .object({
        collection: ModelNameSchema,
        description: z.string().optional(),
        batchSize: z.number().int().positive().default(512),
      })
      .strict(),
    /** The ONNX content encoder the edge serves for new items (its /v1/embed): fp32 or int8. */
    serve: z.enum(['model', 'model_int8']).default('model_int8'),
  })
  .strict()
  .superRefine((config, context) => {
    if (!config.popularityCorrection) return;
    const { loss } = config;
    if (loss.name !== 'multiple_negatives_ranking' || loss.symmetric || loss.distance !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['popularityCorrection'],
        message:
          'needs loss multiple_negatives_ranking with symmetric false and the default distance (its softmax is what it corrects)',
      });
    }
  });

export type RecsConfig = z.infer<typeof RecsConfigSchema>;

/** Reads and validates a config file; data paths are resolved against the file's folder. */
export function loadRecsConfig(path: string): RecsConfig {
  return parseRecsConfig(readJsonFile(path), path, dirname(resolve(path)));
}

/** Validates a config; relative data paths are resolved against `baseDir` (absolute ones are kept). */
export function parseRecsConfig(json: unknown, source: string, baseDir: string): RecsConfig {
  const config = parseOrThrow(RecsConfigSchema, json, `${source}: invalid config`);
  const data = {
    ...config.data,
    interactions: config.data.interactions.map((file) => resolve(baseDir, file)),
    items: resolve(baseDir, config.data.items),
  };
  return { ...config, data };
}
