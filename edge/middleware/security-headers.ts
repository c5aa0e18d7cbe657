import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * hono/secure-headers, tightened for a JSON API that no page should render or frame: a CSP that allows
 * nothing, DENY framing, no referrer. HSTS is left to the TLS terminator in front of the server (this
 * server speaks plain HTTP, where browsers ignore it).
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: 'DENY',
    strictTransportSecurity: false,
  });
}
