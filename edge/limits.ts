import { z } from 'zod';

/** What one request may ask of the server. Every limit has a default so a bare `createApp` is safe. */
export const LimitsSchema = z
  .object({
    /** Request bodies above this many bytes get 413 before they are read. */
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    /** Texts per embed request, pairs per similarity request. */
    maxBatch: z.number().int().positive().max(4096).default(128),
    /** Characters per text (UTF-16 code units, as JavaScript counts them). */
    maxTextChars: z.number().int().positive().default(10_000),
    /** Search returns 1..maxK results. */
    maxK: z.number().int().positive().max(10_000).default(100),
    defaultK: z.number().int().positive().default(10),
    /**
     * Pixels (width x height) of one PNG or JPEG input, checked from its header before it is decoded: a
     * decoded pixel costs about 8 bytes on its way to the model, so the default bounds one image to ~32 MB.
     */
    maxImagePixels: z.number().int().positive().max(100_000_000).default(4_000_000),
  })
  .strict()
  .refine((l) => l.defaultK <= l.maxK, 'defaultK must be <= maxK');

export type Limits = z.infer<typeof LimitsSchema>;

/** How concurrent embed calls are coalesced into one model run (see micro-batcher.ts). */
export const BatchingSchema = z
  .object({
    /** Texts per model run; a flush starts as soon as this many are queued. */
    maxBatch: z.number().int().positive().default(256),
    /**
     * The longest the first queued text waits for company before its run starts; 0 runs it right after
     * the requests that arrived with it (see micro-batcher.ts).
     */
    maxWaitMs: z.number().nonnegative().max(1000).default(0),
  })
  .strict();

export type Batching = z.infer<typeof BatchingSchema>;

/** One token bucket: `perSecond` requests sustained, up to `burst` at once; perSecond 0 turns it off. */
export const RateSchema = z
  .object({
    perSecond: z.number().nonnegative().default(0),
    /** The bucket's size; twice the rate (at least 1) when omitted. */
    burst: z.number().int().positive().optional(),
  })
  .strict()
  .transform(({ perSecond, burst }) => ({
    perSecond,
    burst: burst ?? Math.max(1, Math.ceil(2 * perSecond)),
  }));

/**
 * Request rates under /v1/, each answered with 429 and Retry-After beyond its bucket. Off unless set:
 * a server behind a gateway that already limits needs none, one facing the internet should set both.
 */
export const RateLimitsSchema = z
  .object({
    /** Per client address (an IPv6 client's /64, which one host can fill with addresses). */
    perAddress: RateSchema.prefault({}),
    /** Per API key, for requests that present a valid one. */
    perKey: RateSchema.prefault({}),
    /** Buckets kept per limit; beyond it the longest idle is dropped, so a flood of addresses is bounded. */
    maxTracked: z.number().int().positive().default(100_000),
  })
  .strict();

export type Rate = z.infer<typeof RateSchema>;
export type RateLimits = z.infer<typeof RateLimitsSchema>;
