// From @hono/zod-openapi: the same zod, extended with .openapi() (see edge/schemas.ts).
import { z } from '@hono/zod-openapi';
import type { Limits } from './limits.ts';
import type { RequestSchemas } from './schemas.ts';

/** Labelled examples one /v1/classify request may carry: each is embedded with the inputs. */
export const MAX_EXAMPLES = 512;
/** Nearest neighbours a kNN vote may count. */
export const MAX_VOTERS = 100;

const ModelVersion = z.string().describe('The version of `model` that answered, e.g. 20261128-0300.');
const Threshold = z.number().min(-1).max(1);

/**
 * The classification and verification contract. Inputs and `model` take the very schemas /v1/embed does
 * (their bounds are the server's limits), so an input is an input everywhere.
 */
export function classificationRequestSchemas(requests: RequestSchemas, limits: Limits) {
  const { inputs, model } = requests.EmbedRequest.shape;
  const input = inputs.element;
  const label = z.string().min(1).max(128);
  return {
    ClassifyRequest: z
      .object({
        inputs: inputs.describe('What to classify: texts for a text model, images for an image model.'),
        examples: z
          .array(z.object({ input, label }).strict())
          .min(2, 'examples: give at least two, of at least two labels')
          .max(MAX_EXAMPLES, `examples: at most ${MAX_EXAMPLES} per request`)
          .optional()
          .describe('Labelled examples of each class (few-shot). Give these or `collection`, not both.'),
        collection: z
          .string()
          .min(1)
          .max(64)
          .optional()
          .describe(
            'A labelled collection (built at index time; items carry their class in their metadata) to classify against instead of `examples`.',
          ),
        labels: z
          .array(label)
          .min(2)
          .max(MAX_EXAMPLES)
          .optional()
          .describe('Only these classes compete; each must have an example. Omitted: every class given.'),
        method: z
          .enum(['prototype', 'knn'])
          .default('prototype')
          .describe(
            'prototype: the class whose mean normalised example embedding is nearest; knn: the vote of the k nearest examples.',
          ),
        k: z.number().int().min(1).max(MAX_VOTERS).default(5).describe('Voters of a kNN vote.'),
        threshold: Threshold.optional().describe(
          "Open-set threshold: an input whose best score is below it is `unknown`. Omitted: calibrated from the examples by leave-one-out (or the collection's, set at index time).",
        ),
        model,
      })
      .strict()
      .refine((r) => (r.examples === undefined) !== (r.collection === undefined), {
        message: 'give labelled `examples` or a labelled `collection` (one of the two)',
        path: ['examples'],
      }),
    VerifyRequest: z
      .object({
        pairs: z
          .array(z.tuple([input, input]))
          .min(1, 'pairs must hold at least one pair')
          .max(limits.maxBatch, `at most ${limits.maxBatch} pairs per request`)
          .describe('Pairs of texts for a text model, of images for an image model.'),
        threshold: Threshold.optional().describe(
          "Scores at or above it are the same identity. Omitted: the model's threshold calibrated for a false-accept rate (manifest `verification`).",
        ),
        model,
      })
      .strict(),
  };
}

export type ClassificationRequestSchemas = ReturnType<typeof classificationRequestSchemas>;
export type ClassifyRequest = z.infer<ClassificationRequestSchemas['ClassifyRequest']>;
export type VerifyRequest = z.infer<ClassificationRequestSchemas['VerifyRequest']>;

const ClassScoreSchema = z.object({ label: z.string(), score: z.number() });

export const ClassifyResponseSchema = z.object({
  model: z.string(),
  model_version: ModelVersion,
  method: z.enum(['prototype', 'knn']),
  threshold: Threshold.nullable().describe(
    "The open-set threshold applied: the request's, else calibrated; null when none could be (no class with two examples).",
  ),
  results: z.array(
    z.object({
      label: z.string().describe('The best class.'),
      score: z.number().describe("Cosine to the class's prototype, or the mean cosine of its voters (knn)."),
      runner_up: ClassScoreSchema.nullable().describe(
        'The next class; null when no other class was in the vote.',
      ),
      unknown: z.boolean().describe('The best score is below the open-set threshold.'),
    }),
  ),
});
export type ClassifyResponse = z.infer<typeof ClassifyResponseSchema>;

export const VerifyResponseSchema = z.object({
  model: z.string(),
  model_version: ModelVersion,
  threshold: Threshold,
  target_far: z
    .number()
    .nullable()
    .describe(
      'The false-accept rate the threshold was calibrated for; null when the request gave the threshold.',
    ),
  results: z.array(
    z.object({
      score: z.number().min(-1).max(1).describe('Cosine similarity of the pair.'),
      same: z.boolean().describe('score >= threshold.'),
    }),
  ),
});
export type VerifyResponse = z.infer<typeof VerifyResponseSchema>;
