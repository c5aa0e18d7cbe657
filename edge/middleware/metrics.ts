import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import type { AppMetrics } from '../metrics.ts';
import { methodLabel, routeLabel } from './route-label.ts';

/** Counts and times every request by method, matched route pattern, status and the model that answered. */
export function requestMetrics(metrics: AppMetrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const modelVersion = c.get('modelVersion');
    metrics.observeRequest({
      method: methodLabel(c),
      route: routeLabel(c),
      status: c.res.status,
      model: modelVersion === undefined ? '' : modelVersion.slice(0, modelVersion.lastIndexOf('@')),
      seconds: (performance.now() - started) / 1000,
    });
  };
}
