import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../context.ts';
import { errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import type { LoadedModel } from '../ports.ts';
import { type ModelInfo, type ModelsResponse, ModelsResponseSchema } from '../schemas.ts';

export function modelRoutes({ registry }: AppDeps): OpenAPIHono<AppEnv> {
  const route = createRoute({
    method: 'get',
    path: '/v1/models',
    operationId: 'listModels',
    tags: ['models'],
    summary: 'The loaded models, default first',
    responses: {
      200: jsonResponse(ModelsResponseSchema.openapi('ModelsResponse'), 'The models this server serves.', {
        models: [
          {
            name: 'minilm',
            version: '20261128-0300',
            task: 'text-similarity',
            default: true,
            dims: 64,
            distance: 'cosine',
            created_at: '2026-11-28T03:00:00Z',
            collections: ['wordnet'],
            metrics: { test: { 'recall@1': 0.91 } },
          },
        ],
      }),
      ...errorResponses(...V1_ERRORS),
    },
  });
  return new OpenAPIHono<AppEnv>().openapi(route, (c) => {
    const defaultModel = registry.get();
    const body: ModelsResponse = { models: registry.list().map((m) => describeModel(m, m === defaultModel)) };
    return c.json(body, 200);
  });
}

function describeModel({ manifest }: LoadedModel, isDefault: boolean): ModelInfo {
  return {
    name: manifest.name,
    version: manifest.version,
    task: manifest.task,
    default: isDefault,
    dims: manifest.embedding.dim,
    distance: manifest.embedding.distance,
    created_at: manifest.created_at,
    collections: manifest.collections.map((collection) => collection.name),
    metrics: manifest.metrics,
  };
}
