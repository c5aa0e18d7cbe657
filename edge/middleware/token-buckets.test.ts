import { describe, expect, it } from 'vitest';
import { RateSchema } from '../limits.ts';
import { createTokenBuckets } from './token-buckets.ts';

describe('token buckets', () => {
  it('admit a burst, then one request per 1/rate seconds, and say how long to wait', () => {
    let now = 0;
    const buckets = createTokenBuckets({ perSecond: 2, burst: 3 }, 10, () => now);
    expect([1, 2, 3].map(() => buckets.take('a').admitted)).toEqual([true, true, true]);
    expect(buckets.take('a')).toEqual({ admitted: false, retryAfterSeconds: 1 });
    now = 499;
    expect(buckets.take('a').admitted).toBe(false);
    now = 500;
    expect(buckets.take('a').admitted).toBe(true);
    expect(buckets.take('b').admitted).toBe(true);
    // Refills stop at the burst size, however long the bucket sat idle.
    now = 60_000;
    expect([1, 2, 3, 4].map(() => buckets.take('a').admitted)).toEqual([true, true, true, false]);
  });

  it('round Retry-After up to whole seconds at slow rates', () => {
    const buckets = createTokenBuckets({ perSecond: 0.1, burst: 1 }, 10, () => 0);
    buckets.take('a');
    expect(buckets.take('a')).toEqual({ admitted: false, retryAfterSeconds: 10 });
  });

  it('keep at most maxTracked buckets, dropping the longest idle', () => {
    let now = 0;
    const buckets = createTokenBuckets({ perSecond: 1, burst: 1 }, 2, () => now);
    buckets.take('a');
    buckets.take('b');
    buckets.take('a');
    buckets.take('c');
    expect(buckets.size).toBe(2);
    // 'b' was dropped, so it starts full; 'a' and 'c' are still empty.
    expect(buckets.take('b').admitted).toBe(true);
    now = 10;
    expect(buckets.take('c').admitted).toBe(false);
  });

  it('default the burst to twice the rate, at least 1', () => {
    expect(RateSchema.parse({ perSecond: 5 })).toEqual({ perSecond: 5, burst: 10 });
    expect(RateSchema.parse({ perSecond: 0.2 })).toEqual({ perSecond: 0.2, burst: 1 });
    expect(RateSchema.parse({ perSecond: 5, burst: 7 })).toEqual({ perSecond: 5, burst: 7 });
  });
});
