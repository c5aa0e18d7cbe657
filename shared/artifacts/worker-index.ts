import { z } from 'zod';
import { MetadataColumnSchema } from '../db/index-schema.ts';
import { FileEntrySchema, ModelNameSchema, VersionSchema } from '../manifest.ts';

/**
 * worker-index.json: the Workers build of a version's index (manifest `files.worker_index`). The trainer
 * writes it beside index.db at index time: the collection split into one or more shards, each a binary
 * file searched in place (shared/ann/shard-file.ts) and an items file read by byte range for the hits.
 * Every shard file has its size and sha256 here, and this file's own are in the manifest, so the chain
 * of checksums reaches every byte a worker reads.
 */

export const WORKER_INDEX_FILE = 'worker-index.json';

export const WorkerShardSchema = z
  .object({
    /** The collection position of the shard's first item; shards hold consecutive items. */
    first: z.number().int().nonnegative(),
    items: z.number().int().nonnegative(),
    bin: FileEntrySchema,
    records: FileEntrySchema,
  })
  .strict();
export type WorkerShard = z.infer<typeof WorkerShardSchema>;

export const WorkerIndexSchema = z
  .object({
    format: z.literal(1),
    collection: z
      .object({
        name: ModelNameSchema,
        description: z.string().optional(),
        model: ModelNameSchema,
        model_version: VersionSchema,
        dims: z.number().int().positive(),
        items: z.number().int().nonnegative(),
        filterable: z.array(MetadataColumnSchema),
      })
      .strict(),
    /** Candidates a graph search keeps per shard (as the Node server's `ef`). */
    ef: z.number().int().min(1).max(4096),
    shards: z.array(WorkerShardSchema).min(1),
  })
  .strict()
  .refine(
    (index) =>
      index.shards.every(
        (shard, i) => shard.first === (i === 0 ? 0 : index.shards[i - 1].first + index.shards[i - 1].items),
      ) && index.shards.reduce((sum, shard) => sum + shard.items, 0) === index.collection.items,
    'shards must hold consecutive items adding up to the collection',
  );
export type WorkerIndex = z.infer<typeof WorkerIndexSchema>;

/** Every file a worker index lists, its shards' binaries and items files. */
export function workerIndexFiles(index: WorkerIndex): z.infer<typeof FileEntrySchema>[] {
  return index.shards.flatMap((shard) => [shard.bin, shard.records]);
}

/** How a collection is split: a shard count, or a budget of bytes per shard binary. */
export const ShardingSchema = z
  .object({
    shards: z.number().int().min(1).max(4096).optional(),
    /** Shard binaries of at most about this many bytes (what one Durable Object holds in memory). */
    shardBytes: z
      .number()
      .int()
      .min(1 << 16)
      .optional(),
  })
  .strict()
  .refine((s) => s.shards === undefined || s.shardBytes === undefined, 'give shards or shardBytes, not both');
export type Sharding = z.infer<typeof ShardingSchema>;
