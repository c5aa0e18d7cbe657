import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { errorBody } from '../errors.ts';
import type { RateLimits } from '../limits.ts';
import type { RateLimiter } from '../ports.ts';
import { addressBucket } from './address-bucket.ts';
import { tokenBucketLimiter } from './token-buckets.ts';

export interface RateLimitOptions {
  limiter: RateLimiter;
  /** What a bucket stands for, in the 429 message: "this address", "this API key". */
  subject: string;
  /** The request's bucket; undefined lets the request through uncounted (e.g. no valid key). */
  bucketOf(c: Context<AppEnv>): string | undefined;
}

/**
 * Admits a request while its limiter admits its bucket; otherwise answers 429 with `Retry-After` (whole
 * seconds until the limiter admits it again) and the usual error body, before the body is read.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const { limiter, subject } = options;
  return async (c, next) => {
    const bucket = options.bucketOf(c);
    const admission = bucket === undefined ? { admitted: true as const } : await limiter.take(bucket);
    if (admission.admitted) return next();
    const wait = admission.retryAfterSeconds;
    return c.json(
      errorBody('rate_limited', `too many requests from ${subject}: ${limiter.limit}; retry in ${wait} s`),
      429,
      { 'Retry-After': String(wait) },
    );
  };
}

/** The limiters the app counts requests with; each absent one is off. */
export interface RateLimiters {
  /** Per client address (its IPv6 /64); needs the client's address. */
  perAddress?: RateLimiter;
  /** Per API key, for requests that present a valid one. */
  perKey?: RateLimiter;
}

/**
 * Token buckets in this process for the configured rates (the Node server's limiters): each app (each
 * model generation of the Node server) counts on its own.
 */
export function tokenBucketLimiters(rates: RateLimits): RateLimiters {
  const { perAddress, perKey, maxTracked } = rates;
  return {
    perAddress: perAddress.perSecond > 0 ? tokenBucketLimiter(perAddress, maxTracked) : undefined,
    perKey: perKey.perSecond > 0 ? tokenBucketLimiter(perKey, maxTracked) : undefined,
  };
}

/**
 * The limiters as middleware, each undefined when off: per client address (mount it before the body is
 * read) and per API key (mount it after authenticate, which finds the key).
 */
export function rateLimitsFor(
  limiters: RateLimiters,
  clientAddress: ((c: Context<AppEnv>) => string | undefined) | undefined,
): { perAddress?: MiddlewareHandler<AppEnv>; perKey?: MiddlewareHandler<AppEnv> } {
  const { perAddress, perKey } = limiters;
  if (perAddress && !clientAddress) {
    throw new Error("per-address rate limits need the client's address (clientAddress)");
  }
  return {
    perAddress:
      perAddress && clientAddress
        ? rateLimit({
            limiter: perAddress,
            subject: 'this address',
            bucketOf: (c) => addressBucket(clientAddress(c)),
          })
        : undefined,
    perKey: perKey
      ? rateLimit({ limiter: perKey, subject: 'this API key', bucketOf: (c) => c.get('apiKey')?.id })
      : undefined,
  };
}
