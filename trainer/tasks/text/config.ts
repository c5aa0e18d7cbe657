import { z } from 'zod';
import { ShardingSchema } from '../../../shared/artifacts/worker-index.ts';
import { TextFeaturizerConfigSchema } from '../../../shared/featurizer/text.ts';
import { ModelNameSchema } from '../../../shared/manifest.ts';
import { parseOrThrow } from '../../../shared/validation.ts';
import { BACKEND_CHOICES } from '../../backend/index.ts';
import { TextEncoderShapeSchema } from '../../encoder/text-encoder.ts';
import { DEFAULT_VERIFICATION_FAR } from '../../eval/verification.ts';
import { LossConfigSchema } from '../../metric/index.ts';
import { AdamConfigSchema } from '../../train/adam.ts';
import { ParameterUpdateSchema } from '../../train/parameter-update.ts';
import { readJsonFile } from '../../util/read-json-file.ts';
import { SemanticInitSchema } from './similarity/semantic-init-config.ts';
import { SourcesConfigSchema } from './similarity/source-config.ts';

/** A text model's whole recipe: data, featurizer, model, loss, training, index. Validated at load. */
export const TextConfigSchema = z
  .object({
    /** Optional: a config without a task is a text config (see trainer/pipeline/pipeline-config.ts). */
    task: z.literal('text-similarity').optional(),
    name: ModelNameSchema,
    seed: z.number().int().min(0).default(1),
    backend: z.enum(BACKEND_CHOICES).default('auto'),
    data: z
      .object({
        source: z.literal('wordnet'),
        /** Fractions of synsets held out; the split is by synset and seeded. */
        validation: z.number().min(0).max(0.5).default(0.02),
        test: z.number().min(0).max(0.5).default(0.05),
        /** Caps the synsets used (for tests and quick runs); 0 uses all. */
        limit: z.number().int().min(0).default(0),
      })
      .strict(),
    featurizer: TextFeaturizerConfigSchema.default(TextFeaturizerConfigSchema.parse({})),
    model: TextEncoderShapeSchema.default(TextEncoderShapeSchema.parse({})),
    loss: LossConfigSchema,
    /**
     * A training mix of several sources (WordNet, STS-B, PAWS, pair files, self-supervised views) with
     * per-source weights; absent, the model trains on WordNet pairs with `loss` alone.
     */
    sources: SourcesConfigSchema.optional(),
    /** Where STS-B and PAWS live; default DML_EDGE_DATASETS or ../shared/datasets. */
    datasets: z.string().optional(),
    /**
     * Scale each initial table row by its bucket's IDF over the training texts (see similarity/idf-init.ts);
     * 'sentences' counts only the texts that are not WordNet lemmas (glosses, examples, other sources'
     * sentences) as documents.
     */
    idfInit: z.union([z.boolean(), z.literal('sentences')]).optional(),
    /** Start the table's last columns and the dense layer from a trained text run (text-sim/semantic-init.ts). */
    semanticInit: SemanticInitSchema.optional(),
    train: z
      .object({
        batchSize: z.number().int().min(2).max(4096).default(256),
        epochs: z.number().positive().default(4),
        /** Total steps; overrides `epochs` (which count WordNet epochs), for multi-source mixes. */
        steps: z.number().int().positive().optional(),
        /**
         * Wall-clock budget for training; the run stops cleanly when it is spent. Absent: no time limit, so
         * the run takes its fixed number of steps and gives the same model on every machine.
         */
        maxMinutes: z.number().positive().optional(),
        evalEvery: z.number().int().positive().default(200),
        patience: z.number().int().min(0).default(3),
        monitor: z.string().default('mean_average_precision_at_r'),
        optimizer: AdamConfigSchema.default(AdamConfigSchema.parse({})),
        /** Table update and per-group learning rates, for multi-source training (`sources`). */
        update: ParameterUpdateSchema.optional(),
      })
      .strict(),
    index: z
      .object({
        collection: ModelNameSchema,
        description: z.string().optional(),
        batchSize: z.number().int().positive().default(256),
        /**
         * The Workers build of the index (worker-index.json and its shards, served from R2): one shard
         * unless `shards` or `shardBytes` (bytes per shard, what one Durable Object holds) split it.
         */
        worker: ShardingSchema.default({}),
        /**
         * A labelled collection instead of the WordNet catalogue: a CSV file (path from the working
         * directory) with `text` and `label` columns, for /v1/classify against the collection.
         */
        labelled: z
          .object({ csv: z.string().min(1) })
          .strict()
          .optional(),
        /**
         * A file of queries with the lemma each should find (path from the working directory, validated
         * by CatalogueQueriesSchema): after indexing, each query's rank in the catalogue is recorded and
         * logged, pass or fail (stages/catalogue-queries.ts).
         */
        queries: z.string().min(1).optional(),
      })
      .strict(),
    serve: z.enum(['model', 'model_int8']).default('model_int8'),
    /**
     * The precision the edge's `match` decisions aim for, and the false-accept rate of its `/v1/verify`
     * threshold (both calibrated on validation pairs).
     */
    calibration: z
      .object({
        targetPrecision: z.number().gt(0).lte(1).default(0.9),
        verificationFar: z.number().gt(0).lt(1).default(DEFAULT_VERIFICATION_FAR),
      })
      .strict()
      .default({ targetPrecision: 0.9, verificationFar: DEFAULT_VERIFICATION_FAR }),
  })
  .strict()
  .refine((config) => !config.train.update || config.sources, {
    message: 'train.update applies to multi-source training: list the `sources` to train on',
    path: ['train', 'update'],
  })
  .refine((config) => !config.model.wordOrder || config.featurizer.layout === 'tokens', {
    message: "model.wordOrder reads tokens in order: set featurizer.layout to 'tokens'",
    path: ['featurizer', 'layout'],
  });

export type TextConfig = z.infer<typeof TextConfigSchema>;

/** Reads and validates a config file; errors name the file and each bad field. */
export function loadTextConfig(path: string): TextConfig {
  return parseTextConfig(readJsonFile(path), path);
}

export function parseTextConfig(json: unknown, source: string): TextConfig {
  return parseOrThrow(TextConfigSchema, json, `${source}: invalid config`);
}
