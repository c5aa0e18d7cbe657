import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import type { Logger } from '../logger.ts';

/** Paths longer than this are cut in the log (a client chooses its path; the log should stay bounded). */
const MAX_LOGGED_PATH = 1024;

/**
 * One `info` line per request once it is answered, errors and refusals included: method, path (without
 * the query), status, ms, the model that answered as `model@version` (null when none did) and the
 * request id that X-Request-Id carries, so a client's report can be found in the log.
 */
export function accessLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const path = c.req.path;
    logger.info('request', {
      method: c.req.method,
      path: path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}...` : path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      model: c.get('modelVersion') ?? null,
      requestId: c.get('requestId'),
    });
  };
}
