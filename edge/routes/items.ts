import { Hono } from 'hono';
import { z } from 'zod';
import { ModelNameSchema } from '../../shared/manifest.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { modelVersionOf } from '../resolve.ts';
import type { SimilarItemsResponse } from '../schemas.ts';
import { namedItemVectors, nearestExcept, type RecommendationDeps, resolveRecommender } from './recommend.ts';

/**
 * GET /v1/items/{id}/similar?k=&collection=: the k items whose stored vectors are nearest to the item's
 * own, the item left out. Without `collection`, the first recommendation model's collection.
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
    })
    .strict();

  return new Hono<AppEnv>().get('/v1/items/:id/similar', async (c) => {
    const parsed = QuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
      throw new ApiError(400, 'invalid_request', problems.join('; '));
    }
    const { k, collection: named } = parsed.data;
    const collection = named ?? resolveRecommender(deps.registry, undefined).recommendation.collection;
    const info = deps.index.collection(collection);
    if (!info)
      throw new ApiError(404, 'collection_not_found', `no collection named "${collection}" is loaded`);
    const model = deps.registry.get(info.model);
    // createApp checked that every collection's model is loaded, so a miss is an internal fault (500).
    if (!model) throw new Error(`collection ${collection} needs model ${info.model}, not loaded`);
    c.set('modelVersion', modelVersionOf(model));

    const id = c.req.param('id');
    const vector = (await namedItemVectors(recs.catalog, collection, [id])).get(id)!;
    const body: SimilarItemsResponse = {
      model: model.manifest.name,
      collection,
      item: id,
      results: await nearestExcept(deps.index, collection, vector, k, new Set([id])),
    };
    return c.json(body);
  });
}
