import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * A route's JSON request body, for createRoute's `request`: documented from the schema the route validates
 * with (and its example), required. Pair it with `readsJsonBody` in the route's `middleware`.
 */
export function jsonBody<S extends z.ZodType>(schema: S, example: z.input<S>) {
  return { required: true, content: { 'application/json': { schema, example } } } as const;
}

/**
 * Route middleware, before the body validator: the body is read as JSON whatever its Content-Type
 * claims (`curl -d` sends form-urlencoded, `fetch` with a string text/plain), malformed JSON is a 400
 * `invalid_json`. The validator only reads JSON-typed bodies, so a request sent with another type is
 * handed on as the same request labelled application/json (its body already read and cached); the
 * original goes back once the route is done, for the middleware that checks whether the body was read.
 */
export const readsJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const text = await c.req.text();
  try {
    c.req.bodyCache.json = Promise.resolve(JSON.parse(text));
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  }
  const mediaType = c.req.header('content-type')?.split(';')[0].trim() ?? '';
  if (JSON_MEDIA_TYPE.test(mediaType)) return next();
  const original = c.req.raw;
  const headers = new Headers(original.headers);
  headers.set('content-type', 'application/json');
  c.req.raw = new Request(original.url, { method: original.method, headers, body: text });
  try {
    await next();
  } finally {
    c.req.raw = original;
  }
};
