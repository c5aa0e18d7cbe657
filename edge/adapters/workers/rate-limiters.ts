import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import type { RateLimiters } from '../../middleware/rate-limit.ts';
import type { RateLimiter } from '../../ports.ts';

/**
 * Cloudflare's Rate Limiting binding (`[[ratelimits]]` in wrangler.toml; `wrangler dev` runs it
 * locally): a counter per key that every isolate of a Cloudflare location shares, unlike a map in one
 * isolate's memory. Its limit and period (10 or 60 seconds) live in wrangler.toml, not in the Worker.
 */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** The RateLimiter port over one binding; a refused request is told to retry after the binding's period. */
export function bindingRateLimiter(
  binding: RateLimitBinding,
  name: string,
  periodSeconds: number,
): RateLimiter {
  return {
    limit: `more requests than this deployment allows per ${periodSeconds} s (${name} in wrangler.toml)`,
    async take(bucket) {
      const { success } = await binding.limit({ key: bucket });
      return success ? { admitted: true } : { admitted: false, retryAfterSeconds: periodSeconds };
    },
  };
}

/** The Worker's limiters: per client address and per API key, each where its binding is bound. */
export function workerRateLimiters(
  bindings: { PER_ADDRESS_LIMIT?: RateLimitBinding; PER_KEY_LIMIT?: RateLimitBinding },
  periodSeconds: number,
): RateLimiters {
  const { PER_ADDRESS_LIMIT: perAddress, PER_KEY_LIMIT: perKey } = bindings;
  return {
    ...(perAddress && { perAddress: bindingRateLimiter(perAddress, 'PER_ADDRESS_LIMIT', periodSeconds) }),
    ...(perKey && { perKey: bindingRateLimiter(perKey, 'PER_KEY_LIMIT', periodSeconds) }),
  };
}

/** The client's address as Cloudflare's edge saw it (`wrangler dev` sets it too). */
export function workerClientAddress(c: Context<AppEnv>): string | undefined {
  return c.req.header('cf-connecting-ip');
}
