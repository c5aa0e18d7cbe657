import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../context.ts';
import { errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import type { CollectionInfo } from '../ports.ts';
import { type CollectionsResponse, CollectionsResponseSchema } from '../schemas.ts';

export function collectionRoutes({ index }: AppDeps): OpenAPIHono<AppEnv> {
  const route = createRoute({
    method: 'get',
    path: '/v1/collections',
    operationId: 'listCollections',
    tags: ['collections'],
    summary: 'The searchable collections',
    responses: {
      200: jsonResponse(
        CollectionsResponseSchema.openapi('CollectionsResponse'),
        "Every collection, the default model's first.",
        {
          collections: [
            {
              name: 'products',
              model: 'minilm',
              model_version: '20261128-0300',
              dims: 64,
              distance: 'cosine',
              items: 1200,
              filterable: [{ name: 'color', type: 'text' }],
            },
          ],
        },
      ),
      ...errorResponses(...V1_ERRORS),
    },
  });
  return new OpenAPIHono<AppEnv>().openapi(route, (c) => {
    const body: CollectionsResponse = { collections: index.collections().map(describeCollection) };
    return c.json(body, 200);
  });
}

/** A collection as the HTTP API shows it (snake_case keys). */
export function describeCollection({
  modelVersion,
  ...rest
}: CollectionInfo): CollectionsResponse['collections'][number] {
  return { ...rest, model_version: modelVersion };
}
