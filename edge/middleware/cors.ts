import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';

const OriginSchema = z
  .string()
  .refine((origin) => origin === '*' || (URL.canParse(origin) && new URL(origin).origin === origin), {
    message: 'an origin is scheme://host[:port] with nothing after it (or * for any)',
  });

/**
 * Which web pages may call the API from a browser. Off (no origin) by default: browsers then refuse
 * cross-origin calls, and servers and scripts, which CORS does not concern, are unaffected.
 */
export const CorsSchema = z
  .object({
    /** e.g. https://app.example.com; `*` allows every origin (keys are sent as headers, never cookies). */
    origins: z.array(OriginSchema).default([]),
    /** How long a browser may reuse a preflight answer. */
    maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
  })
  .strict();
export type Cors = z.infer<typeof CorsSchema>;

/** hono/cors for the configured origins, or undefined when CORS is off. */
export function corsFor(config: Cors): MiddlewareHandler | undefined {
  if (config.origins.length === 0) return undefined;
  return cors({
    origin: config.origins.includes('*') ? '*' : config.origins,
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type'],
    exposeHeaders: ['X-Model-Version', 'X-Request-Id', 'Retry-After', 'Server-Timing'],
    maxAge: config.maxAgeSeconds,
  });
}
