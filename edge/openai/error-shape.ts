import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { ErrorResponseSchema } from '../schemas.ts';

/** OpenAI's error `type` for each status this server answers with. */
const TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** Our messages name the offending field first (`input.3: ...`); OpenAI's `param` is its top-level name. */
const FIELD = /^([a-z_]+)(?:\.[\w.]+)?: /;

/**
 * Middleware for the OpenAI-compatible path: every error answer, whoever made it (validation, auth, rate
 * limits, the route), is re-shaped as OpenAI's `{error: {message, type, param, code}}`, which its clients
 * parse; the status and headers stay. Other routes keep this server's `{error: {code, message}}`.
 */
export function openAiErrorShape(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.res.status < 400) return;
    const parsed = ErrorResponseSchema.safeParse(
      await c.res
        .clone()
        .json()
        .catch(() => undefined),
    );
    if (!parsed.success) return;
    const { code, message } = parsed.data.error;
    const body = {
      error: {
        message,
        type: TYPES[c.res.status] ?? 'server_error',
        param: c.res.status < 500 ? (FIELD.exec(message)?.[1] ?? null) : null,
        code,
      },
    };
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = new Response(JSON.stringify(body), { status: c.res.status, headers });
  };
}
