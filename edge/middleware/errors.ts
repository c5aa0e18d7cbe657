import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { ApiError, errorBody } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * Client errors keep their status and message; anything else is an internal fault: logged with the
 * request id so it can be found, answered with a bare 500 that leaks no path or stack.
 */
export function createErrorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (error, c) => {
    if (error instanceof ApiError) return c.json(errorBody(error.code, error.message), error.status);
    logger.error('internal error', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return c.json(errorBody('internal', 'internal error; see the server log'), 500);
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404);

/** For hono's methodNotAllowed middleware: the same JSON error shape, with the Allow header it requires. */
export function methodNotAllowedResponse(c: Context<AppEnv>, allowed: string[]): Response {
  return c.json(errorBody('method_not_allowed', `${c.req.path} accepts ${allowed.join(', ')}`), 405, {
    Allow: allowed.join(', '),
  });
}

/**
 * For hono's bodyLimit middleware. The rest of the body is never read, so the connection cannot carry
 * another request: `Connection: close` tells the client not to reuse it.
 */
export function payloadTooLargeResponse(c: Context<AppEnv>, maxBytes: number): Response {
  return c.json(errorBody('payload_too_large', `request bodies are at most ${maxBytes} bytes`), 413, {
    Connection: 'close',
  });
}
