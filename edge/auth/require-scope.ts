import type { Context, MiddlewareHandler } from 'hono';
import { apiKeyId, constantTimeEqual, hashApiKey } from '../../shared/auth/api-key.ts';
import type { AppEnv } from '../context.ts';
import { errorBody } from '../errors.ts';
import type { ApiKeyScope, KeyStore, StoredApiKey } from '../ports.ts';
import { grants } from './scopes.ts';

const BEARER = /^Bearer +(\S+) *$/i;
/** Compared against when the key's id is unknown, so that case costs a hash and a comparison too. */
const NO_HASH = '0'.repeat(64);

/**
 * Lets a request through only with `Authorization: Bearer <key>` naming a live key whose scope grants
 * `needed`. No key, an unknown, wrong or revoked one: 401 (one message for all, so a caller learns nothing
 * about which ids exist). A valid key without the scope: 403. Uses the authenticate middleware's verdict
 * when it ran, and verifies the key itself otherwise.
 */
export function requireScope(keys: KeyStore, needed: ApiKeyScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = presentedKey(c);
    if (presented === undefined) {
      return unauthorized(c, 'this request needs an API key: send Authorization: Bearer <key>');
    }
    const verdict = c.get('apiKey');
    const key = verdict === undefined ? await verifyApiKey(keys, presented) : verdict;
    if (!key) return unauthorized(c, 'the API key is unknown, wrong or revoked');
    if (!grants(key.scope, needed)) {
      return c.json(
        errorBody(
          'forbidden',
          `this API key has the ${key.scope} scope; ${c.req.method} ${c.req.path} needs ${needed}`,
        ),
        403,
      );
    }
    await next();
  };
}

/** The key in `Authorization: Bearer <key>`, or undefined when the header is absent or not of that form. */
export function presentedKey(c: Context<AppEnv>): string | undefined {
  return BEARER.exec(c.req.header('Authorization') ?? '')?.[1];
}

/** The stored key the presented one matches, or undefined. */
export async function verifyApiKey(keys: KeyStore, presented: string): Promise<StoredApiKey | undefined> {
  const id = apiKeyId(presented);
  const stored = id === undefined ? undefined : await keys.find(id);
  const matches = constantTimeEqual(await hashApiKey(presented), stored?.sha256 ?? NO_HASH);
  return stored && matches && !stored.revoked ? stored : undefined;
}

function unauthorized(c: Context<AppEnv>, message: string): Response {
  return c.json(errorBody('unauthorized', message), 401, { 'WWW-Authenticate': 'Bearer realm="dml-edge"' });
}
