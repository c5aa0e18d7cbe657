import { z } from 'zod';
import { ModelNameSchema, Sha256Schema, VersionSchema } from '../../shared/manifest.ts';

/**
 * What the registry stores (migrations/registry/0001_registry.sql), as zod schemas: rows are parsed on
 * the way out of SQLite, and JSON columns are decoded, so callers only ever see checked records.
 *
 * - candidate: trained (or training) and not yet judged; a job that died resumes its candidate.
 * - champion: the version the `current` pointer names; at most one per model.
 * - rejected: failed the gate, was abandoned, or was rolled back (the reason says which).
 * - retired: a former champion that a newer one replaced; rollback goes back to one of these.
 */
export const VERSION_STATUSES = ['candidate', 'champion', 'rejected', 'retired'] as const;
export const VersionStatusSchema = z.enum(VERSION_STATUSES);
export type VersionStatus = z.infer<typeof VersionStatusSchema>;

/** Metric name to value, as the evaluation reports them. */
export const ScoresSchema = z.record(z.string(), z.number());
export type Scores = z.infer<typeof ScoresSchema>;

const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx): z.output<T> => {
    const result = schema.safeParse(JSON.parse(text));
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
    return z.NEVER;
  });

const timestamp = z.iso.datetime();

export const VersionRowSchema = z
  .object({
    model: ModelNameSchema,
    version: VersionSchema,
    status: VersionStatusSchema,
    parent_version: VersionSchema.nullable(),
    run_id: z.string().nullable(),
    run_dir: z.string().nullable(),
    data_fingerprint: Sha256Schema,
    snapshot: json(z.record(z.string(), z.unknown())),
    config: json(z.record(z.string(), z.unknown())),
    config_sha256: Sha256Schema,
    eval_set: Sha256Schema.nullable(),
    metrics: json(ScoresSchema).nullable(),
    reason: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    published_at: timestamp.nullable(),
    promoted_at: timestamp.nullable(),
  })
  .strict()
  .transform((row) => ({
    model: row.model,
    version: row.version,
    status: row.status,
    parentVersion: row.parent_version,
    runId: row.run_id,
    runDir: row.run_dir,
    dataFingerprint: row.data_fingerprint,
    snapshot: row.snapshot,
    config: row.config,
    configSha256: row.config_sha256,
    evalSet: row.eval_set,
    metrics: row.metrics,
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    promotedAt: row.promoted_at,
  }));
export type VersionRecord = z.output<typeof VersionRowSchema>;

/** A version as first recorded: a new candidate, or a published version the registry adopts. */
export const NewVersionSchema = z
  .object({
    model: ModelNameSchema,
    version: VersionSchema,
    status: z.enum(['candidate', 'retired']),
    parentVersion: VersionSchema.nullable(),
    runId: z.string().nullable(),
    runDir: z.string().nullable(),
    dataFingerprint: Sha256Schema,
    snapshot: z.record(z.string(), z.unknown()),
    config: z.record(z.string(), z.unknown()),
    configSha256: Sha256Schema,
    reason: z.string(),
    publishedAt: timestamp.nullable(),
    promotedAt: timestamp.nullable(),
  })
  .strict();
export type NewVersion = z.input<typeof NewVersionSchema>;

export const EventRowSchema = z
  .object({
    version: VersionSchema,
    status: VersionStatusSchema,
    reason: z.string().nullable(),
    at: timestamp,
  })
  .strict();
export type VersionEvent = z.infer<typeof EventRowSchema>;

/**
 * A frozen evaluation set: the items (for text, WordNet synset ids) that every candidate and champion of
 * a model are compared on. `sha256` is the hash of the canonical JSON of {kind, items}.
 */
export const EvalSetSchema = z
  .object({
    model: ModelNameSchema,
    sha256: Sha256Schema,
    kind: z.literal('wordnet-gloss-lemma'),
    items: z.array(z.string().min(1)).min(1),
    source: z.string(),
    createdAt: timestamp,
  })
  .strict();
export type EvalSet = z.infer<typeof EvalSetSchema>;

export const EvalSetRowSchema = z
  .object({
    model: ModelNameSchema,
    sha256: Sha256Schema,
    kind: z.string(),
    items: z.string(),
    source: z.string(),
    created_at: timestamp,
  })
  .strict()
  .transform((row) =>
    EvalSetSchema.parse({
      model: row.model,
      sha256: row.sha256,
      kind: row.kind,
      items: JSON.parse(row.items),
      source: row.source,
      createdAt: row.created_at,
    }),
  );
