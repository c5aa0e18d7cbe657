import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ModelNameSchema } from '../../shared/manifest.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ModelRefSchema, parseModelRef } from '../model-ref.ts';
import { errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import { checkPinnedVersion, modelVersionOf, resolveCollection } from '../resolve.ts';
import { type SimilarItemsResponse, SimilarItemsResponseSchema } from '../schemas.ts';
import { namedItemVectors, nearestExcept, type RecommendationDeps, resolveRecommender } from './recommend.ts';

/**
 * GET /v1/items/{id}/similar?k=&collection=&model=: the k items whose stored vectors are nearest to the
 * item's own, the item left out. `collection` and `model` pick the collection as in /v1/search; without
 * either, the first recommendation model's collection.
 */
export function itemRoutes(deps: AppDeps, recs: RecommendationDeps): OpenAPIHono<AppEnv> {
  const { limits } = deps;
  const route = createRoute({
    method: 'get',
    path: '/v1/items/{id}/similar',
    operationId: 'similarItems',
    tags: ['recommendations'],
    summary: 'The items nearest to an item of a collection',
    request: {
      params: z.object({ id: z.string().min(1).openapi({ example: '318' }) }),
      query: z
        .object({
          k: z.coerce
            .number()
            .int()
            .min(1, `k must be between 1 and ${limits.maxK}`)
            .max(limits.maxK, `k must be between 1 and ${limits.maxK}`)
            .default(limits.defaultK),
          collection: ModelNameSchema.optional().describe(
            "The first recommendation model's collection when neither it nor `model` is given; a name several models hold is resolved as in /v1/search.",
          ),
          model: ModelRefSchema.optional().describe(
            "The model whose collection it is; alone, that model's first collection. Pinned as `<name>@<version>`, the version that embedded it (409 otherwise).",
          ),
        })
        .strict(),
    },
    responses: {
      200: jsonResponse(
        SimilarItemsResponseSchema.openapi('SimilarItemsResponse'),
        'The nearest items, best first, without the item itself.',
        {
          model: 'movielens',
          model_version: '20261128-0300',
          collection: 'movies',
          item: '318',
          results: [{ id: '858', score: 0.77, text: 'The Godfather (1972)', metadata: {} }],
        },
        { modelVersion: true },
      ),
      ...errorResponses(400, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const query = c.req.valid('query');
    const named =
      query.collection === undefined && query.model === undefined ? recommenderCollection(deps) : query;
    const { collection, model } = resolveCollection(deps.index, deps.registry, {
      collection: named.collection,
      model: parseModelRef(named.model).name,
    });
    checkPinnedVersion(query.model, collection);
    c.set('modelVersion', modelVersionOf(model));

    const { id } = c.req.valid('param');
    const vector = (await namedItemVectors(recs.catalog, collection, [id])).get(id)!;
    const body: SimilarItemsResponse = {
      model: model.manifest.name,
      model_version: model.manifest.version,
      collection: collection.name,
      item: id,
      results: await nearestExcept(deps.index, collection, vector, query.k, new Set([id])),
    };
    return c.json(body, 200);
  });
}

/** The first recommendation model's collection (404 when no recommendation model is loaded). */
function recommenderCollection(deps: AppDeps): { collection: string; model: string } {
  const { model, recommendation } = resolveRecommender(deps.registry, undefined);
  return { collection: recommendation.collection, model: model.manifest.name };
}
