import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { embedRequestInputs } from '../image/request-inputs.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import type { CollectionInfo, MetadataFilter } from '../ports.ts';
import { inputKindOf, modelVersionOf, resolveCollection } from '../resolve.ts';
import { type SearchResponse, SearchResponseSchema } from '../schemas.ts';

export function searchRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const route = createRoute({
    method: 'post',
    path: '/v1/search',
    operationId: 'search',
    tags: ['search'],
    summary: 'The k items of a collection nearest to a query',
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(deps.requests.SearchRequest.openapi('SearchRequest'), {
        query: 'running shoes',
        collection: 'products',
        k: 3,
        filter: { color: ['red', 'blue'] },
      }),
    },
    responses: {
      200: jsonResponse(
        SearchResponseSchema.openapi('SearchResponse'),
        'The nearest items, best first.',
        {
          collection: 'products',
          model: 'minilm',
          model_version: '20261128-0300',
          results: [{ id: 'shoe-1', score: 0.82, text: 'red running shoes', metadata: { color: 'red' } }],
        },
        { modelVersion: true },
      ),
      ...errorResponses(...BODY_ERRORS, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const request = c.req.valid('json');
    const { collection, model } = resolveCollection(deps.index, deps.registry, {
      collection: request.collection,
      model: request.model,
      kind: inputKindOf(request.query),
    });
    c.set('modelVersion', modelVersionOf(model));
    if (request.filter) checkFilter(request.filter, collection);
    const [query] = await embedRequestInputs(deps, model, [request.query], 'query');
    const body: SearchResponse = {
      collection: collection.name,
      model: model.manifest.name,
      model_version: model.manifest.version,
      results: await deps.index.search(collection, query, request.k, request.filter),
    };
    return c.json(body, 200);
  });
}

/** A 400 naming the first filter field the collection cannot filter on, or whose value has the wrong type. */
export function checkFilter(filter: MetadataFilter, collection: CollectionInfo): void {
  const fields = new Map((collection.filterable ?? []).map((field) => [field.name, field.type]));
  const listed = [...fields.keys()].join(', ') || 'none';
  for (const [name, wanted] of Object.entries(filter)) {
    const type = fields.get(name);
    if (!type) {
      throw new ApiError(
        400,
        'invalid_request',
        `filter.${name}: collection "${collection.name}" cannot filter on "${name}" (filterable fields: ${listed})`,
      );
    }
    const values = Array.isArray(wanted) ? wanted : [wanted];
    const fits = (value: unknown) =>
      type === 'integer'
        ? Number.isSafeInteger(value)
        : type === 'float'
          ? typeof value === 'number'
          : typeof value === (type === 'text' ? 'string' : 'boolean');
    if (!values.every(fits)) {
      throw new ApiError(400, 'invalid_request', `filter.${name}: "${name}" takes ${type} values`);
    }
  }
}
