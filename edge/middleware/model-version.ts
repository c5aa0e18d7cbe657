import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';

/** Sends `X-Model-Version: <model>@<version>` when a route recorded which model answered. */
export function modelVersionHeader(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const modelVersion = c.get('modelVersion');
    if (modelVersion) c.res.headers.set('X-Model-Version', modelVersion);
  };
}
