import { z } from 'zod';
import { ModelNameSchema } from '../shared/manifest.ts';
import type { Limits } from './limits.ts';

/**
 * The HTTP contract: request bodies are parsed with these schemas, responses are typed by them, and
 * /openapi.json is generated from them, so the three cannot drift apart.
 */

export const ERROR_CODES = [
  'invalid_json',
  'invalid_request',
  'model_not_found',
  'collection_not_found',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorResponseSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string().describe('For humans; never contains file paths or stack traces.'),
  }),
});

/** Request bodies: their bounds come from the server's limits, so the OpenAPI document states them too. */
export function createRequestSchemas(limits: Limits) {
  const text = z
    .string()
    .max(limits.maxTextChars, `texts are at most ${limits.maxTextChars} characters`)
    .describe(`A text of at most ${limits.maxTextChars} characters.`);
  const model = ModelNameSchema.optional().describe('The model to use; the default text model when omitted.');

  return {
    EmbedRequest: z
      .object({
        inputs: z
          .array(text)
          .min(1, 'inputs must hold at least one text')
          .max(limits.maxBatch, `at most ${limits.maxBatch} inputs per request`),
        model,
      })
      .strict(),
    SimilarityRequest: z
      .object({
        pairs: z
          .array(z.tuple([text, text]))
          .min(1, 'pairs must hold at least one pair')
          .max(limits.maxBatch, `at most ${limits.maxBatch} pairs per request`),
        model,
      })
      .strict(),
    SearchRequest: z
      .object({
        query: text,
        k: z
          .number()
          .int()
          .min(1, `k must be between 1 and ${limits.maxK}`)
          .max(limits.maxK, `k must be between 1 and ${limits.maxK}`)
          .default(limits.defaultK),
        collection: ModelNameSchema.optional().describe(
          "The collection to search; the default model's first collection when omitted.",
        ),
      })
      .strict(),
  };
}

export type RequestSchemas = ReturnType<typeof createRequestSchemas>;
export type EmbedRequest = z.infer<RequestSchemas['EmbedRequest']>;
export type SimilarityRequest = z.infer<RequestSchemas['SimilarityRequest']>;
export type SearchRequest = z.infer<RequestSchemas['SearchRequest']>;

export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  models: z.number().int().nonnegative(),
  collections: z.number().int().nonnegative(),
});

export const ModelInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  task: z.string(),
  default: z.boolean().describe('Whether requests that name no model get this one.'),
  dims: z.number().int().positive(),
  distance: z.string(),
  created_at: z.string(),
  collections: z.array(z.string()),
  metrics: z.record(z.string(), z.record(z.string(), z.number())),
});

export const ModelsResponseSchema = z.object({ models: z.array(ModelInfoSchema) });

export const CollectionInfoSchema = z.object({
  name: z.string(),
  model: z.string().describe('Queries are embedded with this model.'),
  modelVersion: z.string(),
  dims: z.number().int().positive(),
  distance: z.literal('cosine'),
  items: z.number().int().nonnegative(),
  description: z.string().optional(),
});

export const CollectionsResponseSchema = z.object({ collections: z.array(CollectionInfoSchema) });

export const EmbedResponseSchema = z.object({
  model: z.string(),
  dims: z.number().int().positive(),
  embeddings: z.array(z.array(z.number())).describe('Unit vectors, one per input, in input order.'),
});

export const SimilarityResponseSchema = z.object({
  model: z.string(),
  scores: z.array(z.number().min(-1).max(1)).describe('Cosine similarity of each pair, in pair order.'),
  threshold: z
    .number()
    .optional()
    .describe("The model's calibrated match threshold (in its manifest); absent when it has none."),
  matches: z
    .array(z.boolean())
    .optional()
    .describe('Whether each score reaches the threshold, in pair order; present with `threshold`.'),
});

export const SearchHitSchema = z.object({
  id: z.string(),
  score: z.number().describe('Cosine similarity in [-1, 1]: larger is closer.'),
  text: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});

export const SearchResponseSchema = z.object({
  collection: z.string(),
  model: z.string(),
  results: z.array(SearchHitSchema).describe('Best first.'),
});

export type HealthResponse = z.infer<typeof HealthResponseSchema>;
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
export type ModelsResponse = z.infer<typeof ModelsResponseSchema>;
export type CollectionsResponse = z.infer<typeof CollectionsResponseSchema>;
export type EmbedResponse = z.infer<typeof EmbedResponseSchema>;
export type SimilarityResponse = z.infer<typeof SimilarityResponseSchema>;
export type SearchResponse = z.infer<typeof SearchResponseSchema>;
