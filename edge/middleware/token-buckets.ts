import type { Rate } from '../limits.ts';
import type { Admission, RateLimiter } from '../ports.ts';

export type { Admission };

export interface TokenBuckets {
  /** Takes a token from `name`'s bucket (a full one when it is new). */
  take(name: string): Admission;
  /** Buckets held now: at most `maxTracked`. */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  at: number;
}

/**
 * Token buckets by name: each holds up to `burst` tokens, refills at `perSecond`, and a request takes one.
 * The Map's insertion order doubles as recency (a bucket is re-inserted when used), so beyond `maxTracked`
 * the longest-idle bucket, the one likeliest to be full anyway, is dropped first.
 */
export function createTokenBuckets(
  rate: Rate,
  maxTracked: number,
  now: () => number = () => performance.now(),
): TokenBuckets {
  const buckets = new Map<string, Bucket>();
  return {
    take(name) {
      const at = now();
      const bucket = buckets.get(name);
      const refilled = bucket ? ((at - bucket.at) / 1000) * rate.perSecond : rate.burst;
      const tokens = Math.min(rate.burst, (bucket?.tokens ?? 0) + refilled);
      buckets.delete(name);
      const admitted = tokens >= 1;
      buckets.set(name, { tokens: admitted ? tokens - 1 : tokens, at });
      if (buckets.size > maxTracked) buckets.delete(buckets.keys().next().value!);
      return admitted
        ? { admitted }
        : { admitted, retryAfterSeconds: Math.ceil((1 - tokens) / rate.perSecond) };
    },
    get size() {
      return buckets.size;
    },
  };
}

/** The RateLimiter port over token buckets in this process (the Node server's). */
export function tokenBucketLimiter(rate: Rate, maxTracked: number): RateLimiter {
  const buckets = createTokenBuckets(rate, maxTracked);
  return {
    limit: `at most ${rate.perSecond} per second, in bursts of up to ${rate.burst}`,
    take: (bucket) => buckets.take(bucket),
  };
}
