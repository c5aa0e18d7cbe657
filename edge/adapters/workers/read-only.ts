import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../../errors.ts';

/**
 * The Workers build serves a snapshot: the trainer builds index.db, publishes it and uploads it to R2,
 * and the worker only reads it. Requests that would write (any method but GET, HEAD and OPTIONS under
 * the areas where the Node build accepts writes) get 405 with an explanation, instead of the 404 or
 * bare 405 the shared app would give. Extend WRITE_AREAS when the Node build gains writes elsewhere.
 */
const WRITE_AREAS = ['/v1/users', '/v1/admin', '/v1/collections', '/v1/models'] as const;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const READ_ONLY_MESSAGE =
  'this Workers deployment serves a read-only snapshot published by the trainer, so it accepts no writes; ' +
  'send writes to the Node server (dml-edge serve), then publish and upload a new version ' +
  '(dml-edge upload --target r2)';

function isWrite(method: string, path: string): boolean {
  if (READ_METHODS.has(method.toUpperCase())) return false;
  return WRITE_AREAS.some((area) => path === area || path.startsWith(`${area}/`));
}

export function readOnlySnapshot(): MiddlewareHandler {
  return async (c, next) => {
    if (!isWrite(c.req.method, c.req.path)) return next();
    return c.json(errorBody('method_not_allowed', READ_ONLY_MESSAGE), 405, { Allow: 'GET, HEAD' });
  };
}
