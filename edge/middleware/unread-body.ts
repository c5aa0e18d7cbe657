import type { MiddlewareHandler } from 'hono';

/**
 * Answers sent without reading the request's body (a refused key, a rate limit, a bad path) end the
 * connection: the client may still be sending that body, and on a kept-alive connection the unread rest
 * would race the next request (clients see "other side closed" instead of the answer).
 */
export function closeAfterUnreadBody(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.req.raw.body !== null && !c.req.raw.bodyUsed) c.header('Connection', 'close');
  };
}
