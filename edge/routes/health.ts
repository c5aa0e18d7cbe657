import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import { errorBody } from '../errors.ts';
import type { HealthResponse, ReadyResponse } from '../schemas.ts';

/**
 * GET /healthz: the process answers (liveness). GET /readyz: it should be sent traffic (readiness): its
 * models are loaded and it is not shutting down; 503 otherwise, so a load balancer stops sending.
 */
export function healthRoutes({ registry, index, notReady }: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/healthz', (c) => {
      const body: HealthResponse = {
        status: 'ok',
        models: registry.list().length,
        collections: index.collections().length,
      };
      return c.json(body);
    })
    .get('/readyz', (c) => {
      const models = registry.list().length;
      const reason = notReady() ?? (models === 0 ? 'no model is loaded' : undefined);
      if (reason !== undefined) return c.json(errorBody('not_ready', `not ready: ${reason}`), 503);
      const body: ReadyResponse = { status: 'ready', models, collections: index.collections().length };
      return c.json(body);
    });
}
