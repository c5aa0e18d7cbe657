import { z } from 'zod';
import { ModelNameSchema } from '../../../shared/manifest.ts';
import {
  type ArtifactStore,
  type AssetsBinding,
  assetsArtifactStore,
  type R2BucketBinding,
  r2ArtifactStore,
} from './artifact-store.ts';
import type { ShardNamespace } from './shard-protocol.ts';

const hasMethods =
  <T>(...methods: string[]) =>
  (value: unknown): value is T =>
    typeof value === 'object' &&
    value !== null &&
    methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');

/** The worker's bindings and variables (wrangler.toml), checked when an isolate loads its models. */
export const WorkerEnvSchema = z
  .object({
    /** Published artifacts in R2, as `dml-edge upload --target r2` writes them. */
    MODELS: z
      .custom<R2BucketBinding>(
        hasMethods('get', 'list'),
        'MODELS must be an R2 bucket binding ([[r2_buckets]])',
      )
      .optional(),
    /** The alternative: an artifacts folder deployed as static assets ([assets] binding = "ASSETS"). */
    ASSETS: z.custom<AssetsBinding>(hasMethods('fetch'), 'ASSETS must be a static assets binding').optional(),
    /** With ASSETS: the models to serve, comma-separated (static assets cannot be listed). */
    ASSET_MODELS: z
      .string()
      .transform((list) => list.split(',').map((name) => name.trim()))
      .pipe(z.array(ModelNameSchema).min(1))
      .optional(),
    /** Requests that name no model get this one; the first model by name otherwise. */
    DEFAULT_MODEL: ModelNameSchema.optional(),
    /** The Durable Objects that serve the shards of sharded collections (shard-object.ts). */
    SHARDS: z
      .custom<ShardNamespace>(
        hasMethods('idFromName', 'get'),
        'SHARDS must be a Durable Object namespace binding ([[durable_objects.bindings]])',
      )
      .optional(),
    /** How long a shard may take to answer a search before the search fails naming it (ms). */
    SHARD_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(10_000),
  })
  .refine((env) => env.MODELS || env.ASSETS, 'bind an R2 bucket as MODELS, or static assets as ASSETS')
  .refine((env) => !env.ASSETS || env.MODELS || env.ASSET_MODELS, {
    message: 'with static assets, ASSET_MODELS must name the models to serve',
    path: ['ASSET_MODELS'],
  });
export type WorkerEnv = z.infer<typeof WorkerEnvSchema>;

export function parseWorkerEnv(env: unknown): WorkerEnv {
  const result = WorkerEnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`,
    );
    throw new Error(`invalid worker configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** R2 when MODELS is bound, static assets otherwise. */
export function artifactStoreFor(env: WorkerEnv): ArtifactStore {
  if (env.MODELS) return r2ArtifactStore(env.MODELS, 'MODELS');
  return assetsArtifactStore(env.ASSETS!, env.ASSET_MODELS!);
}
