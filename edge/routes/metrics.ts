import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import type { AppMetrics } from '../metrics.ts';
import { errorResponses } from '../openapi/responses.ts';

/**
 * GET /metrics: the Prometheus text exposition of the server's metrics (see edge/metrics.ts). Open like
 * /healthz unless `guard` is given (a key with the read scope; see SECURITY.md).
 */
export function metricsRoutes(
  { registry }: AppDeps,
  metrics: AppMetrics,
  guard?: MiddlewareHandler<AppEnv>,
): OpenAPIHono<AppEnv> {
  const route = createRoute({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    tags: ['operations'],
    summary:
      'Prometheus metrics: requests and latency per route and model, embed batch sizes, loaded versions (open unless the server runs with --metrics key)',
    middleware: guard ? [guard] : [],
    responses: {
      200: {
        description: 'The Prometheus text format.',
        content: { 'text/plain; version=0.0.4': { schema: z.string() } },
      },
      ...errorResponses(401, 403, 500),
    },
  });
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const { contentType, body } = await metrics.render(registry.list());
    return c.text(body, 200, { 'Content-Type': contentType });
  });
}
