import { z } from 'zod';

/**
 * What a retrain job did, as one JSON line on stdout (for cron mail, log scrapers and alerting) and as
 * its exit status:
 *
 *   promoted  0   the candidate passed the gate and is live
 *   skipped   0   a version was already trained on this data snapshot with this config (--force retrains)
 *   rejected  3   the gate kept the champion; `reason` says why
 *   failed    1   an error; `reason` is its message (the champion is untouched)
 *   failed   75   another job for the model holds the lock (EX_TEMPFAIL: try again later)
 */
export const RETRAIN_STATUSES = ['promoted', 'rejected', 'skipped', 'failed'] as const;

export const RetrainSummarySchema = z
  .object({
    status: z.enum(RETRAIN_STATUSES),
    /** Null only when the config could not be read. */
    model: z.string().nullable(),
    /** The candidate's version (or the existing one, when skipped); null when the job failed before. */
    version: z.string().nullable(),
    /** The gate's metric, and its value for the candidate and the champion on the frozen set. */
    metric: z.string(),
    candidate: z.number().nullable(),
    champion: z.number().nullable(),
    reason: z.string(),
    seconds: z.number().nonnegative(),
    /**
     * Recommendation models: how many recorded events the data snapshot took from each edge (the Node
     * server's state database, the Worker's D1 database) and how many of them are new since the
     * champion's snapshot (null: no earlier snapshot of that source). Absent before the snapshot.
     */
    events: z
      .array(
        z
          .object({
            source: z.string(),
            from: z.string(),
            records: z.number().int().nonnegative(),
            new: z.number().int().nonnegative().nullable(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type RetrainSummary = z.infer<typeof RetrainSummarySchema>;

export const EXIT_CODES = { promoted: 0, skipped: 0, rejected: 3, failed: 1, locked: 75 } as const;

export interface RetrainResult {
  summary: RetrainSummary;
  exitCode: (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
}

export function formatSummary(summary: RetrainSummary): string {
  return JSON.stringify(RetrainSummarySchema.parse(summary));
}
