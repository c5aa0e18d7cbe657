import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireScope } from '../auth/require-scope.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, NEEDS_KEY, V1_ERRORS } from '../openapi/responses.ts';
import type { EventStore, ItemCatalog, KeyStore } from '../ports.ts';
import { modelVersionOf } from '../resolve.ts';
import { type EventsResponse, EventsResponseSchema } from '../schemas.ts';
import { namedItemVectors, resolveRecommender } from './recommend.ts';

export interface EventDeps {
  catalog: ItemCatalog;
  events: EventStore;
  keys: KeyStore;
}

const UserIdSchema = z
  .string()
  .min(1, 'user ids are 1 to 256 characters')
  .max(256, 'user ids are 1 to 256 characters');

/**
 * POST /v1/users/{id}/events (scope write): records interactions with items of the recommendation
 * model's collection. Every item must exist (404 naming the unknown ones, nothing stored); the events
 * are committed together before the answer, so the user's next recommendation already uses them. An
 * event with a client `id` the user already has is not stored again: a retried request is harmless.
 */
export function eventRoutes(deps: AppDeps, store: EventDeps): OpenAPIHono<AppEnv> {
  const answer = (description: string) =>
    jsonResponse(
      EventsResponseSchema.openapi('EventsResponse'),
      description,
      {
        user_id: '42',
        model: 'movielens',
        model_version: '20261128-0300',
        collection: 'movies',
        stored: 2,
        duplicates: 0,
        cursor: 1187,
      },
      { modelVersion: true },
    );
  const route = createRoute({
    method: 'post',
    path: '/v1/users/{id}/events',
    operationId: 'recordEvents',
    tags: ['recommendations'],
    summary: "Record a user's interactions (API key with the write scope); they count at once",
    security: NEEDS_KEY,
    middleware: [requireScope(store.keys, 'write'), readsJsonBody] as const,
    request: {
      params: z.object({ id: UserIdSchema.openapi({ example: '42' }) }),
      body: jsonBody(deps.requests.EventsRequest.openapi('EventsRequest'), {
        events: [
          { item_id: '318', rating: 5, id: '8f14e45f-ceea-467f-a0e6-5f1a1b8c9d10' },
          { item_id: '858', timestamp: 1764298800 },
        ],
      }),
    },
    responses: {
      201: answer('Stored: at least one event is new.'),
      200: answer('A retry: every event was recorded before under its id.'),
      ...errorResponses(...BODY_ERRORS, 401, 403, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const { id: user } = c.req.valid('param');
    const request = c.req.valid('json');
    const { model, recommendation, collection: ref } = resolveRecommender(deps.registry, request.model);
    c.set('modelVersion', modelVersionOf(model));
    const { collection } = recommendation;
    await namedItemVectors(
      store.catalog,
      ref,
      request.events.map((e) => e.item_id),
    );
    const now = Date.now() / 1000;
    const appended = await store.events.append(
      collection,
      user,
      request.events.map((e) => ({
        item: e.item_id,
        rating: e.rating ?? null,
        timestamp: e.timestamp ?? now,
        clientId: e.id ?? null,
      })),
    );
    const body: EventsResponse = {
      user_id: user,
      model: model.manifest.name,
      model_version: model.manifest.version,
      collection,
      stored: appended.stored,
      duplicates: appended.events.length - appended.stored,
      cursor: Math.max(...appended.events.map((e) => e.id)),
    };
    return c.json(body, appended.stored > 0 ? 201 : 200);
  });
}
