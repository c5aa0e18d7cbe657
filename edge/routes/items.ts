import { Hono } from 'hono';
import { z } from 'zod';
import { ModelNameSchema } from '../../shared/manifest.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { modelVersionOf, resolveCollection } from '../resolve.ts';
import type { SimilarItemsResponse } from '../schemas.ts';
import { namedItemVectors, nearestExcept, type RecommendationDeps, resolveRecommender } from './recommend.ts';

/**
 * GET /v1/items/{id}/similar?k=&collection=&model=: the k items whose stored vectors are nearest to the
 * item's own, the item left out. `collection` and `model` pick the collection as in /v1/search; without
 * either, the first recommendation model's collection.
 */
export function itemRoutes(deps: AppDeps, recs: RecommendationDeps): Hono<AppEnv> {
  const { limits } = deps;
  const QuerySchema = z
    .object({
      k: z.coerce
        .number()
        .int()
        .min(1, `k must be between 1 and ${limits.maxK}`)
        .max(limits.maxK, `k must be between 1 and ${limits.maxK}`)
        .default(limits.defaultK),
      collection: ModelNameSchema.optional(),
      model: ModelNameSchema.optional(),
    })
    .strict();

  return new Hono<AppEnv>().get('/v1/items/:id/similar', async (c) => {
    const parsed = QuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
      throw new ApiError(400, 'invalid_request', problems.join('; '));
    }
    const { k } = parsed.data;
    const named =
      parsed.data.collection === undefined && parsed.data.model === undefined
        ? recommenderCollection(deps)
        : parsed.data;
    const { collection, model } = resolveCollection(deps.index, deps.registry, named);
    c.set('modelVersion', modelVersionOf(model));

    const id = c.req.param('id');
    const vector = (await namedItemVectors(recs.catalog, collection, [id])).get(id)!;
    const body: SimilarItemsResponse = {
      model: model.manifest.name,
      collection: collection.name,
      item: id,
      results: await nearestExcept(deps.index, collection, vector, k, new Set([id])),
    };
    return c.json(body);
  });
}

/** The first recommendation model's collection (404 when no recommendation model is loaded). */
function recommenderCollection(deps: AppDeps): { collection: string; model: string } {
  const { model, recommendation } = resolveRecommender(deps.registry, undefined);
  return { collection: recommendation.collection, model: model.manifest.name };
}
