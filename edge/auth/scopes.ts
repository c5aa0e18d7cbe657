import type { ApiKeyScope } from '../ports.ts';

/** Scopes from least to most: a key grants its own scope and every scope before it. */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const satisfies readonly ApiKeyScope[];

export function grants(scope: ApiKeyScope, needed: ApiKeyScope): boolean {
  return API_KEY_SCOPES.indexOf(scope) >= API_KEY_SCOPES.indexOf(needed);
}
