import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { TextFeaturizerConfigSchema } from '../../shared/featurizer/text.ts';
import { tokenize } from '../../shared/featurizer/tokenize.ts';
import { bytesToBase64 } from '../../shared/image/base64.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import {
  createOpenAiEmbeddingsRequestSchema,
  type OpenAiEmbeddingsResponse,
  OpenAiEmbeddingsResponseSchema,
  OpenAiErrorSchema,
} from '../openai/schemas.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { jsonResponse } from '../openapi/responses.ts';
import { modelVersionOf, resolveModelRef, textInputOf } from '../resolve.ts';

export const OPENAI_EMBEDDINGS_PATH = '/v1/embeddings';

/**
 * POST /v1/embeddings, OpenAI's embeddings API: the official `openai` client pointed at this server
 * (`baseURL: <server>/v1`) works unchanged, float or base64. Text models only. Errors on this path are
 * in OpenAI's shape (edge/openai/error-shape.ts, applied by the app to everything under this path).
 */
export function openAiEmbeddingsRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const openAiError = (description: string) => ({
    description,
    content: { 'application/json': { schema: OpenAiErrorSchema.openapi('OpenAiError') } },
  });
  const route = createRoute({
    method: 'post',
    path: OPENAI_EMBEDDINGS_PATH,
    operationId: 'createEmbeddings',
    tags: ['embeddings'],
    summary:
      "Embed texts in OpenAI's embeddings API shape (for the openai clients and the frameworks on them)",
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(createOpenAiEmbeddingsRequestSchema(deps.limits).openapi('OpenAiEmbeddingsRequest'), {
        input: ['red running shoes', 'a blue trail shoe'],
        model: 'minilm',
        encoding_format: 'float',
      }),
    },
    responses: {
      200: jsonResponse(
        OpenAiEmbeddingsResponseSchema.openapi('OpenAiEmbeddingsResponse'),
        'One unit vector per input, in input order, and the tokens the model read.',
        {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: [0.6, 0.8, 0] }],
          model: 'minilm',
          model_version: '20261128-0300',
          usage: { prompt_tokens: 3, total_tokens: 3 },
        },
        { modelVersion: true },
      ),
      400: openAiError('Invalid JSON or a request that breaks the schema; `param` names the field.'),
      401: openAiError('No API key, or an unknown, wrong or revoked one (where the server requires keys).'),
      404: openAiError('No such model or version.'),
      409: openAiError('The pinned version cannot be served here.'),
      413: openAiError('The body is over the size limit.'),
      429: openAiError('Over a rate limit; Retry-After says how long to wait.'),
      500: openAiError('An internal fault.'),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const request = c.req.valid('json');
    const model = await resolveModelRef(deps.registry, request.model);
    const input = textInputOf(model, OPENAI_EMBEDDINGS_PATH);
    c.set('modelVersion', modelVersionOf(model));
    const dims = model.embedder.dim;
    if (request.dimensions !== undefined && request.dimensions !== dims) {
      throw new ApiError(
        400,
        'invalid_request',
        `dimensions: model "${model.manifest.name}" makes ${dims}-dimensional embeddings and was not trained for truncation (no Matryoshka-style loss), so only dimensions=${dims} is accepted`,
      );
    }
    const texts = typeof request.input === 'string' ? [request.input] : request.input;
    const vectors = await deps.embedderFor(model).embed(texts);
    const featurizer = TextFeaturizerConfigSchema.parse(input.featurizer);
    // The tokens the model read: its own tokenizer's, up to its per-text cap.
    const tokens = texts.reduce(
      (sum, text) => sum + tokenize(text, featurizer.maxTokens, featurizer.maxTokenChars).length,
      0,
    );
    const body: OpenAiEmbeddingsResponse = {
      object: 'list',
      data: vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: request.encoding_format === 'base64' ? float32Base64(vector) : Array.from(vector),
      })),
      model: model.manifest.name,
      model_version: model.manifest.version,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
    return c.json(body, 200);
  });
}

/** A vector's float32 values as little-endian bytes, base64: what OpenAI's clients decode. */
function float32Base64(vector: Float32Array): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return bytesToBase64(bytes);
}
