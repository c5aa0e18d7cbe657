import { z } from '@hono/zod-openapi';
import type { Limits } from '../limits.ts';
import { ModelRefSchema } from '../model-ref.ts';

/**
 * POST /v1/embeddings in the shape of OpenAI's embeddings API, so the official clients and the RAG
 * frameworks built on them work unchanged (pointed at this server with `baseURL`).
 */
export function createOpenAiEmbeddingsRequestSchema(limits: Limits) {
  const text = z.string().max(limits.maxTextChars, `texts are at most ${limits.maxTextChars} characters`);
  return z
    .object({
      input: z
        .union([
          text,
          z
            .array(text)
            .min(1, 'input must hold at least one text')
            .max(limits.maxBatch, `at most ${limits.maxBatch} texts per request`),
        ])
        .describe('A text or an array of texts (token arrays are not taken: this server tokenizes itself).'),
      model: ModelRefSchema.describe(
        'A text model this server serves, optionally pinned to a published version: `minilm` or `minilm@20261128-0300`.',
      ),
      encoding_format: z
        .enum(['float', 'base64'])
        .default('float')
        .describe(
          "`float`: arrays of numbers; `base64`: each vector's little-endian float32 bytes, base64 (the official clients ask for it and decode it).",
        ),
      dimensions: z
        .number()
        .int()
        .positive()
        .optional()
        .describe(
          "Only the model's own dimension count is accepted: no model served here was trained for truncation (a Matryoshka-style loss), so a shorter prefix would not be a sound embedding.",
        ),
      user: z.string().max(256).optional().describe('Accepted for compatibility, not used.'),
    })
    .strict();
}

export type OpenAiEmbeddingsRequest = z.infer<ReturnType<typeof createOpenAiEmbeddingsRequestSchema>>;

export const OpenAiEmbeddingsResponseSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.object({
      object: z.literal('embedding'),
      index: z.number().int().nonnegative(),
      embedding: z
        .union([z.array(z.number()), z.string()])
        .describe('Unit vector: numbers, or base64 little-endian float32 bytes with encoding_format base64.'),
    }),
  ),
  model: z.string(),
  model_version: z
    .string()
    .describe("The version of `model` that answered (not in OpenAI's shape; clients ignore it)."),
  usage: z.object({
    prompt_tokens: z
      .number()
      .int()
      .nonnegative()
      .describe("Tokens the model read: its own tokenizer's tokens, up to its per-text cap."),
    total_tokens: z.number().int().nonnegative(),
  }),
});

export type OpenAiEmbeddingsResponse = z.infer<typeof OpenAiEmbeddingsResponseSchema>;

export const OpenAiErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z
      .string()
      .describe(
        'invalid_request_error, authentication_error, permission_error, not_found_error, rate_limit_error or server_error.',
      ),
    param: z.string().nullable().describe('The offending field, e.g. `input` or `dimensions`.'),
    code: z.string().nullable().describe("This server's error code (see ErrorResponse)."),
  }),
});
