import type { MiddlewareHandler } from 'hono';
import { errorBody } from '../../errors.ts';

/**
 * Writes the Workers build does not take get 405 with the reason and what to do instead, before
 * anything is loaded, rather than the 404 or bare 405 the shared app would give. Recorded events
 * (POST /v1/users/{id}/events) work once a D1 database is bound as STATE; the rest are refused always:
 * the index is a snapshot the trainer publishes, and versions are switched by `dml-edge models
 * promote|rollback --target r2`, not over HTTP. Written collections (POST /v1/collections and the item
 * routes, reads of their items included) are the Node server's.
 */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const READ_ONLY_MESSAGE =
  'this Workers deployment serves a read-only snapshot published by the trainer, so it accepts no writes; ' +
  'send writes to the Node server (dml-edge serve), then publish and upload a new version ' +
  '(dml-edge upload --target r2)';

export const COLLECTION_WRITES_MESSAGE =
  'this Workers deployment has no written collections: bind the WrittenCollections Durable Object as ' +
  'COLLECTIONS and a D1 database as STATE, where the keys writes need live (wrangler.toml; docs/workers.md, ' +
  '"Written collections"). The published collections are searched as usual with POST /v1/search';

export const ADMIN_MESSAGE =
  'the Workers build has no admin endpoints: promote or roll back a version with ' +
  '`dml-edge models promote|rollback --target r2`, which switches `current` in R2; every isolate ' +
  'follows within CURRENT_TTL_SECONDS (docs/workers.md)';

export const NO_STATE_MESSAGE =
  'this Workers deployment records no events: bind a D1 database as STATE in wrangler.toml and apply ' +
  'its migrations (docs/workers.md, "Deploy")';

interface Refusal {
  area: string;
  message: string;
  /** Whether the Worker takes the write after all, given its bindings. */
  supported?(env: Record<string, unknown> | undefined): boolean;
}

/** Written collections live in the COLLECTIONS Durable Object; writes need keys, which live in STATE. */
function writesCollections(env: Record<string, unknown> | undefined): boolean {
  return env?.COLLECTIONS !== undefined && env?.STATE !== undefined;
}

const REFUSALS: Refusal[] = [
  { area: '/v1/users', message: NO_STATE_MESSAGE, supported: (env) => env?.STATE !== undefined },
  { area: '/v1/admin', message: ADMIN_MESSAGE },
  { area: '/v1/collections', message: COLLECTION_WRITES_MESSAGE, supported: writesCollections },
  { area: '/v1/models', message: READ_ONLY_MESSAGE },
];

/** Reads of written collections' items, which the Worker has none of: /v1/collections/{name}/items[/{id}], /v1/items/{id}. */
const ITEM_READS = [/^\/v1\/collections\/[^/]+\/items(\/[^/]+)?\/?$/, /^\/v1\/items\/[^/]+\/?$/];

/** Why the request is refused and what the path allows, or undefined when the Worker takes it. */
function refusalOf(
  method: string,
  path: string,
  env: Record<string, unknown> | undefined,
): { message: string; allow: string } | undefined {
  const read = READ_METHODS.has(method.toUpperCase());
  if (!writesCollections(env) && ITEM_READS.some((pattern) => pattern.test(path))) {
    return { message: COLLECTION_WRITES_MESSAGE, allow: '' };
  }
  if (read) return undefined;
  const refusal = REFUSALS.find(({ area }) => path === area || path.startsWith(`${area}/`));
  return refusal && !refusal.supported?.(env) ? { message: refusal.message, allow: 'GET, HEAD' } : undefined;
}

export function unsupportedWrites(): MiddlewareHandler {
  return async (c, next) => {
    const refusal = refusalOf(c.req.method, c.req.path, c.env as Record<string, unknown> | undefined);
    if (refusal === undefined) return next();
    // An empty Allow (no method is taken) is sent as none: workerd drops empty header values anyway.
    return c.json(
      errorBody('method_not_allowed', refusal.message),
      405,
      refusal.allow ? { Allow: refusal.allow } : {},
    );
  };
}
