import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps, AppEnv } from '../context.ts';
import { errorBody } from '../errors.ts';
import { errorResponses, jsonResponse } from '../openapi/responses.ts';
import {
  type HealthResponse,
  HealthResponseSchema,
  type ReadyResponse,
  ReadyResponseSchema,
} from '../schemas.ts';

/**
 * GET /healthz: the process answers (liveness). GET /readyz: it should be sent traffic (readiness): its
 * models are loaded and it is not shutting down; 503 otherwise, so a load balancer stops sending.
 */
export function healthRoutes({ registry, index, notReady }: AppDeps): OpenAPIHono<AppEnv> {
  const health = createRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    tags: ['operations'],
    summary: 'Liveness: the process answers',
    responses: {
      200: jsonResponse(HealthResponseSchema.openapi('HealthResponse'), 'Alive.', {
        status: 'ok',
        models: 2,
        collections: 1,
      }),
      ...errorResponses(500),
    },
  });
  const ready = createRoute({
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    tags: ['operations'],
    summary: 'Readiness: models loaded and not shutting down',
    responses: {
      200: jsonResponse(ReadyResponseSchema.openapi('ReadyResponse'), 'Ready for traffic.', {
        status: 'ready',
        models: 2,
        collections: 1,
      }),
      ...errorResponses(503),
    },
  });

  return new OpenAPIHono<AppEnv>()
    .openapi(health, (c) => {
      const body: HealthResponse = {
        status: 'ok',
        models: registry.list().length,
        collections: index.collections().length,
      };
      return c.json(body, 200);
    })
    .openapi(ready, (c) => {
      const models = registry.list().length;
      const reason = notReady() ?? (models === 0 ? 'no model is loaded' : undefined);
      if (reason !== undefined) return c.json(errorBody('not_ready', `not ready: ${reason}`), 503);
      const body: ReadyResponse = { status: 'ready', models, collections: index.collections().length };
      return c.json(body, 200);
    });
}
