import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import type { KeyStore } from '../ports.ts';
import { presentedKey, verifyApiKey } from './require-scope.ts';

/**
 * Verifies the presented key once per request, so the per-key rate limit and requireScope share the
 * result: `apiKey` is the live key, or null for an unknown, wrong or revoked one. A request without a key
 * passes untouched; whether it needs one is requireScope's call.
 */
export function authenticate(keys: KeyStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = presentedKey(c);
    if (presented !== undefined) c.set('apiKey', (await verifyApiKey(keys, presented)) ?? null);
    await next();
  };
}
