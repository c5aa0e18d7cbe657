import { z } from 'zod';
import { FileEntrySchema } from '../../../shared/manifest.ts';

/**
 * What the Worker sends a shard's Durable Object (shard-object.ts) and what it answers, as JSON: a
 * float32 query survives the trip exactly (every float32 is a double JSON prints and reads back).
 */

const FileRefSchema = z.object({ key: z.string().min(1), entry: FileEntrySchema }).strict();
const FilterValueSchema = z.union([z.string(), z.number(), z.boolean()]);

export const ShardSearchRequestSchema = z
  .object({
    bin: FileRefSchema,
    records: FileRefSchema,
    query: z.array(z.number()).min(1),
    k: z.number().int().min(1).max(4096),
    ef: z.number().int().min(1).max(4096),
    filter: z.record(z.string(), z.union([FilterValueSchema, z.array(FilterValueSchema)])).optional(),
  })
  .strict();
export type ShardSearchRequest = z.infer<typeof ShardSearchRequestSchema>;

export const ShardSearchReplySchema = z
  .object({
    /** Local rows, best first, with their scores and their records' byte ranges [start, end). */
    rows: z.array(z.number().int().nonnegative()),
    scores: z.array(z.number()),
    ranges: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
    recordsEtag: z.string(),
    /** The shard's WebAssembly memory, for /healthz. */
    memoryBytes: z.number().int().nonnegative(),
  })
  .strict();
export type ShardSearchReply = z.infer<typeof ShardSearchReplySchema>;

/** A shard's failure as the Durable Object reports it: status 500 with this body. */
export const ShardFailureSchema = z.object({ error: z.string() }).strict();

/** The part of a Durable Object namespace binding the fan-out uses (wrangler.toml `SHARDS`). */
export interface ShardNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(input: string, init?: RequestInit): Promise<Response> };
}
