import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.ts';
import { errorBody } from '../errors.ts';
import type { Rate, RateLimits } from '../limits.ts';
import { addressBucket } from './address-bucket.ts';
import { createTokenBuckets } from './token-buckets.ts';

export interface RateLimitOptions {
  rate: Rate;
  maxTracked: number;
  /** What a bucket stands for, in the 429 message: "this address", "this API key". */
  subject: string;
  /** The request's bucket; undefined lets the request through uncounted (e.g. no valid key). */
  bucketOf(c: Context<AppEnv>): string | undefined;
}

/**
 * Admits a request while its bucket holds a token; otherwise answers 429 with `Retry-After` (whole
 * seconds until the next token) and the usual error body, before the body is read. The buckets belong to
 * this middleware, so each app (each model generation of the Node server) counts on its own.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const { rate, subject } = options;
  const buckets = createTokenBuckets(rate, options.maxTracked);
  return async (c, next) => {
    const bucket = options.bucketOf(c);
    const admission = bucket === undefined ? { admitted: true as const } : buckets.take(bucket);
    if (admission.admitted) return next();
    const wait = admission.retryAfterSeconds;
    return c.json(
      errorBody(
        'rate_limited',
        `too many requests from ${subject}: at most ${rate.perSecond} per second, in bursts of up to ` +
          `${rate.burst}; retry in ${wait} s`,
      ),
      429,
      { 'Retry-After': String(wait) },
    );
  };
}

/**
 * The configured limits as middleware, each undefined when off: per client address (mount it before the
 * body is read) and per API key (mount it after authenticate, which finds the key).
 */
export function rateLimitsFor(
  rates: RateLimits,
  clientAddress: ((c: Context<AppEnv>) => string | undefined) | undefined,
): { perAddress?: MiddlewareHandler<AppEnv>; perKey?: MiddlewareHandler<AppEnv> } {
  const { perAddress, perKey, maxTracked } = rates;
  if (perAddress.perSecond > 0 && !clientAddress) {
    throw new Error("per-address rate limits need the client's address (clientAddress)");
  }
  return {
    perAddress:
      perAddress.perSecond > 0 && clientAddress
        ? rateLimit({
            rate: perAddress,
            maxTracked,
            subject: 'this address',
            bucketOf: (c) => addressBucket(clientAddress(c)),
          })
        : undefined,
    perKey:
      perKey.perSecond > 0
        ? rateLimit({
            rate: perKey,
            maxTracked,
            subject: 'this API key',
            bucketOf: (c) => c.get('apiKey')?.id,
          })
        : undefined,
  };
}
