import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { TextFeaturizerConfigSchema } from '../../shared/featurizer/text.ts';
import { ModelNameSchema } from '../../shared/manifest.ts';
import { BACKEND_CHOICES } from '../backend/index.ts';
import { LossConfigSchema } from '../metric/index.ts';
import { TextEncoderShapeSchema } from '../models/text-encoder.ts';
import { AdamConfigSchema } from '../train/adam.ts';

/** A text model's whole recipe: data, featurizer, model, loss, training, index. Validated at load. */
export const TextConfigSchema = z
  .object({
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
    train: z
      .object({
        batchSize: z.number().int().min(2).max(4096).default(256),
        epochs: z.number().positive().default(4),
        /** Wall-clock budget for training; the run stops cleanly when it is spent. */
        maxMinutes: z.number().positive().default(6),
        evalEvery: z.number().int().positive().default(200),
        patience: z.number().int().min(0).default(3),
        monitor: z.string().default('mean_average_precision_at_r'),
        optimizer: AdamConfigSchema.default(AdamConfigSchema.parse({})),
      })
      .strict(),
    index: z
      .object({
        collection: ModelNameSchema,
        description: z.string().optional(),
        batchSize: z.number().int().positive().default(256),
      })
      .strict(),
    serve: z.enum(['model', 'model_int8']).default('model_int8'),
    /** The precision the edge's `match` decisions aim for (threshold calibrated on validation pairs). */
    calibration: z
      .object({ targetPrecision: z.number().gt(0).lte(1).default(0.9) })
      .strict()
      .default({ targetPrecision: 0.9 }),
  })
  .strict();

export type TextConfig = z.infer<typeof TextConfigSchema>;

/** Reads and validates a config file; errors name the file and each bad field. */
export function loadTextConfig(path: string): TextConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  return parseTextConfig(json, path);
}

export function parseTextConfig(json: unknown, source: string): TextConfig {
  const result = TextConfigSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source}: invalid config\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}
