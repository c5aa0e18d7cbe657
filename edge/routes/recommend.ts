import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { Recommendation } from '../../shared/manifest.ts';
import { recentDistinct, userVector } from '../../shared/recs/user-vector.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { parseModelRef } from '../model-ref.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import type {
  CollectionRef,
  EventStore,
  ItemCatalog,
  LoadedModel,
  MetadataFilter,
  ModelRegistry,
  SearchHit,
  VectorIndex,
} from '../ports.ts';
import { modelVersionOf } from '../resolve.ts';
import { type RecommendRequest, type RecommendResponse, RecommendResponseSchema } from '../schemas.ts';
import { checkFilter } from './search.ts';

/** What the recommendation routes use besides the app's deps. */
export interface RecommendationDeps {
  catalog: ItemCatalog;
  /** Events recorded at this edge; absent where none are (histories are then what the model shipped). */
  events?: EventStore;
}

/** vec0's own ceiling on k: at most this many nearest items are fetched before seen ones are left out. */
const MAX_SEARCH_K = 4096;
/** Unknown ids named in one error message. */
const MAX_NAMED = 10;

export interface Recommender {
  model: LoadedModel;
  recommendation: Recommendation;
  /** The model's own collection of items (recommendation.collection, of this model). */
  collection: CollectionRef;
}

/**
 * The named recommendation model (`<name>` or `<name>@<version>`), or the first one loaded; 404 when
 * there is none, 409 when the pinned version is not the one that embedded its collection.
 */
export function resolveRecommender(registry: ModelRegistry, ref: string | undefined): Recommender {
  const { name, version } = parseModelRef(ref);
  const model =
    name === undefined ? registry.list().find((m) => m.manifest.recommendation) : registry.get(name);
  const recommendation = model?.manifest.recommendation;
  if (model && recommendation) {
    if (version !== undefined && version !== model.manifest.version) {
      throw new ApiError(
        409,
        'version_mismatch',
        `model: collection "${recommendation.collection}" was embedded with ${modelVersionOf(model)}; pinned ${ref} cannot serve it`,
      );
    }
    return {
      model,
      recommendation,
      collection: { model: model.manifest.name, name: recommendation.collection },
    };
  }
  throw new ApiError(
    404,
    'model_not_found',
    name === undefined
      ? 'model: no recommendation model is loaded'
      : `model: no recommendation model named "${name}" is loaded`,
  );
}

/** Vectors of items a client named; 404 naming those the collection does not have. */
export async function namedItemVectors(
  catalog: ItemCatalog,
  collection: CollectionRef,
  ids: readonly string[],
): Promise<Map<string, Float32Array>> {
  const distinct = [...new Set(ids)];
  const vectors = await catalog.vectors(collection, distinct);
  const unknown = distinct.filter((id) => !vectors.has(id));
  if (unknown.length > 0) {
    const named = unknown.slice(0, MAX_NAMED).map((id) => JSON.stringify(id));
    const more = unknown.length > MAX_NAMED ? ` and ${unknown.length - MAX_NAMED} more` : '';
    throw new ApiError(
      404,
      'item_not_found',
      `collection "${collection.name}" has no item ${named.join(', ')}${more}`,
    );
  }
  return vectors;
}

/**
 * The k items nearest to `query` that match `filter` (exactly, inside vec0), leaving out `exclude`. The
 * search asks for k + |exclude| so that leaving them out cannot shorten the answer, up to vec0's ceiling.
 */
export async function nearestExcept(
  index: VectorIndex,
  collection: CollectionRef,
  query: Float32Array,
  k: number,
  exclude: ReadonlySet<string>,
  filter?: MetadataFilter,
): Promise<SearchHit[]> {
  const hits = await index.search(collection, query, Math.min(MAX_SEARCH_K, k + exclude.size), filter);
  return hits.filter((hit) => !exclude.has(hit.id)).slice(0, k);
}

interface KnownUser {
  positives: string[];
  seen: string[];
}

/** A user's stored history: what the model shipped, then the events recorded here. */
async function storedHistory(
  recs: RecommendationDeps,
  collection: CollectionRef,
  { positive_rating }: Recommendation,
  user: string,
): Promise<KnownUser | undefined> {
  const shipped = await recs.catalog.history(collection, user);
  // Events are recorded by collection name: models that share a collection's name share its events.
  const events = (await recs.events?.history(collection.name, user)) ?? [];
  if (!shipped && events.length === 0) return undefined;
  const liked = events.filter(
    (e) => e.rating === null || positive_rating === null || e.rating >= positive_rating,
  );
  return {
    positives: [...(shipped?.positives ?? []), ...liked.map((e) => e.item)],
    seen: [...(shipped?.seen ?? []), ...events.map((e) => e.item)],
  };
}

/** The request's user: who they are known as, and the items (with vectors) their vector pools. */
async function resolveUser(
  recs: RecommendationDeps,
  { collection, recommendation }: Recommender,
  request: RecommendRequest,
) {
  const recent = request.recent_items ?? [];
  const named = await namedItemVectors(recs.catalog, collection, recent);
  const stored =
    request.user_id === undefined
      ? undefined
      : await storedHistory(recs, collection, recommendation, request.user_id);
  if (request.user_id !== undefined && !stored && recent.length === 0) {
    throw new ApiError(
      404,
      'user_not_found',
      `no history for user "${request.user_id}": send their recent_items to recommend for them`,
    );
  }
  const pooled = recentDistinct([...(stored?.positives ?? []), ...recent], recommendation.recent_items);
  if (pooled.length === 0) {
    throw new ApiError(
      404,
      'user_not_found',
      `user "${request.user_id}" liked no item yet: send recent_items`,
    );
  }
  // Items of a stored history can be missing from a newer catalogue: they are left out.
  const listed = await recs.catalog.vectors(
    collection,
    pooled.filter((id) => !named.has(id)),
  );
  const vectors = new Map([...listed, ...named]);
  const basedOn = pooled.filter((id) => vectors.has(id));
  if (basedOn.length === 0) {
    throw new ApiError(
      404,
      'user_not_found',
      `none of the items user "${request.user_id}" liked is in "${collection.name}" any more`,
    );
  }
  return {
    basedOn,
    vectors: basedOn.map((id) => vectors.get(id)!),
    seen: new Set([...(stored?.seen ?? []), ...recent]),
  };
}

/**
 * POST /v1/recommend: the user's vector is their most recent distinct positive items (stored history,
 * then `recent_items`) pooled through the model's user tower; the answer is the items nearest to it. A
 * user the model never saw is served from `recent_items` alone, with no retraining.
 */
export function recommendRoutes(deps: AppDeps, recs: RecommendationDeps): OpenAPIHono<AppEnv> {
  const route = createRoute({
    method: 'post',
    path: '/v1/recommend',
    operationId: 'recommend',
    tags: ['recommendations'],
    summary: 'Items for a user: from their stored history, their recent items, or both',
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(deps.requests.RecommendRequest.openapi('RecommendRequest'), {
        user_id: '42',
        recent_items: ['318', '858'],
        k: 5,
      }),
    },
    responses: {
      200: jsonResponse(
        RecommendResponseSchema.openapi('RecommendResponse'),
        "The items nearest to the user's vector, best first.",
        {
          model: 'movielens',
          model_version: '20261128-0300',
          collection: 'movies',
          user_id: '42',
          based_on: ['318', '858'],
          results: [{ id: '1221', score: 0.71, text: 'The Godfather: Part II (1974)', metadata: {} }],
        },
        { modelVersion: true },
      ),
      ...errorResponses(...BODY_ERRORS, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const request = c.req.valid('json');
    const recommender = resolveRecommender(deps.registry, request.model);
    const { model, recommendation } = recommender;
    c.set('modelVersion', modelVersionOf(model));
    const collection = deps.index.collection(recommender.collection);
    // createApp checked every collection's model; a model's own collection missing is a fault (500).
    if (!collection)
      throw new Error(`${model.manifest.name} recommends from ${recommendation.collection}, not loaded`);
    if (request.filter) checkFilter(request.filter, collection);
    const user = await resolveUser(recs, recommender, request);
    const tower = {
      dim: model.manifest.embedding.dim,
      ...recommendation.user_tower,
      recencyDecay: recommendation.recency_decay,
    };
    const results = await nearestExcept(
      deps.index,
      collection,
      userVector(user.vectors, tower),
      request.k,
      request.exclude_seen ? user.seen : new Set(),
      request.filter,
    );
    const body: RecommendResponse = {
      model: model.manifest.name,
      model_version: model.manifest.version,
      collection: recommendation.collection,
      user_id: request.user_id ?? null,
      based_on: user.basedOn,
      results,
    };
    return c.json(body, 200);
  });
}
