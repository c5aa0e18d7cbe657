import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import type { CollectionsResponse } from '../schemas.ts';

export function collectionRoutes({ index }: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/v1/collections', (c) => {
    const body: CollectionsResponse = { collections: [...index.collections()] };
    return c.json(body);
  });
}
