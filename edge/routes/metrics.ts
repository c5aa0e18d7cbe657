import { Hono, type MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import type { AppMetrics } from '../metrics.ts';

/**
 * GET /metrics: the Prometheus text exposition of the server's metrics (see edge/metrics.ts). Open like
 * /healthz unless `guard` is given (a key with the read scope; see SECURITY.md).
 */
export function metricsRoutes(
  { registry }: AppDeps,
  metrics: AppMetrics,
  guard?: MiddlewareHandler<AppEnv>,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  if (guard) app.use('/metrics', guard);
  return app.get('/metrics', async (c) => {
    const { contentType, body } = await metrics.render(registry.list());
    return c.body(body, 200, { 'Content-Type': contentType });
  });
}
