import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import type { HealthResponse } from '../schemas.ts';

export function healthRoutes({ registry, index }: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/healthz', (c) => {
    const body: HealthResponse = {
      status: 'ok',
      models: registry.list().length,
      collections: index.collections().length,
    };
    return c.json(body);
  });
}
