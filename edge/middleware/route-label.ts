import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route pattern a request matched (`/v1/items/:id/similar`), for metric labels: raw paths would
 * give every item id, and every path a scanner tries, a series of its own. `unmatched` when only
 * middleware matched (a 404, or a 405 for a method the path does not take).
 */
export function routeLabel(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    if (routes[i].method !== 'ALL') return routes[i].path;
  }
  return 'unmatched';
}

/** The request's method, or `other` for one HTTP does not define (clients choose it freely). */
export function methodLabel(c: Context): string {
  return METHODS.has(c.req.method) ? c.req.method : 'other';
}
