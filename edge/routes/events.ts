import { Hono } from 'hono';
import { z } from 'zod';
import { requireScope } from '../auth/require-scope.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { EventStore, ItemCatalog, KeyStore } from '../ports.ts';
import { readJson } from '../read-json.ts';
import { modelVersionOf } from '../resolve.ts';
import type { EventsResponse } from '../schemas.ts';
import { namedItemVectors, resolveRecommender } from './recommend.ts';

export interface EventDeps {
  catalog: ItemCatalog;
  events: EventStore;
  keys: KeyStore;
}

const UserIdSchema = z.string().min(1).max(256);

/**
 * POST /v1/users/{id}/events (scope write): records interactions with items of the recommendation
 * model's collection. Every item must exist (404 naming the unknown ones, nothing stored); the events
 * are committed together before the answer, so the user's next recommendation already uses them. An
 * event with a client `id` the user already has is not stored again: a retried request is harmless.
 */
export function eventRoutes(deps: AppDeps, store: EventDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/v1/users/:id/events', requireScope(store.keys, 'write'), async (c) => {
    const user = UserIdSchema.safeParse(c.req.param('id'));
    if (!user.success) throw new ApiError(400, 'invalid_request', 'user ids are 1 to 256 characters');
    const request = await readJson(c, deps.requests.EventsRequest);
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
      user.data,
      request.events.map((e) => ({
        item: e.item_id,
        rating: e.rating ?? null,
        timestamp: e.timestamp ?? now,
        clientId: e.id ?? null,
      })),
    );
    const body: EventsResponse = {
      user_id: user.data,
      collection,
      stored: appended.stored,
      duplicates: appended.events.length - appended.stored,
      cursor: Math.max(...appended.events.map((e) => e.id)),
    };
    return c.json(body, appended.stored > 0 ? 201 : 200);
  });
}
