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
  })
  .strict()
  .refine((l) => l.defaultK <= l.maxK, 'defaultK must be <= maxK');

export type Limits = z.infer<typeof LimitsSchema>;

/** How concurrent embed calls are coalesced into one model run (see micro-batcher.ts). */
export const BatchingSchema = z
  .object({
    /** Texts per model run; a flush starts as soon as this many are queued. */
    maxBatch: z.number().int().positive().default(256),
    /** The longest the first queued text waits for company before its run starts. */
    maxWaitMs: z.number().nonnegative().max(1000).default(2),
  })
  .strict();

export type Batching = z.infer<typeof BatchingSchema>;
