import { z } from 'zod';
import type { D1DatabaseBinding } from './d1-state.ts';
import type { CollectionsNamespace } from './durable-collection-store.ts';
import type { RateLimitBinding } from './rate-limiters.ts';

const hasMethods =
  <T>(...methods: string[]) =>
  (value: unknown): value is T =>
    typeof value === 'object' &&
    value !== null &&
    methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');

/** A wrangler.toml var that may be written as a TOML boolean or as a string. */
const Flag = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', ''])])
  .transform((value) => value === true || value === 'true' || value === '1');

/** A wrangler.toml var that may be written as a TOML number or as a string. */
const Seconds = (max: number) => z.coerce.number().min(0).max(max);

/**
 * The worker's bindings and variables beyond models and indexes (env.ts): its writable state, key
 * policy, rate limits and how often it re-reads the `current` pointers. Checked when an isolate loads.
 */
export const WorkerStateEnvSchema = z.object({
  /** API keys and recorded events ([[d1_databases]] binding "STATE"); without it, no keys and no writes. */
  STATE: z
    .custom<D1DatabaseBinding>(
      hasMethods('prepare', 'batch'),
      'STATE must be a D1 database binding ([[d1_databases]])',
    )
    .optional(),
  /**
   * The Durable Object that holds the written collections ([[durable_objects.bindings]] "COLLECTIONS",
   * class WrittenCollections); with STATE (the keys writes need), POST /v1/collections and the item
   * routes work. Without it they answer 405.
   */
  COLLECTIONS: z
    .custom<CollectionsNamespace>(
      hasMethods('idFromName', 'get'),
      'COLLECTIONS must be a Durable Object namespace binding ([[durable_objects.bindings]])',
    )
    .optional(),
  /** Reads need an API key too (writes always do), as `dml-edge serve --require-keys`. Needs STATE. */
  REQUIRE_KEYS: Flag.default(false),
  /** Cloudflare's Rate Limiting bindings ([[ratelimits]]): per client address and per API key. */
  PER_ADDRESS_LIMIT: z
    .custom<RateLimitBinding>(hasMethods('limit'), 'PER_ADDRESS_LIMIT must be a [[ratelimits]] binding')
    .optional(),
  PER_KEY_LIMIT: z
    .custom<RateLimitBinding>(hasMethods('limit'), 'PER_KEY_LIMIT must be a [[ratelimits]] binding')
    .optional(),
  /** The period of those bindings' `simple` limits (10 or 60): what a refused client is told to wait. */
  RATE_LIMIT_PERIOD: z.coerce
    .number()
    .refine((period) => period === 10 || period === 60, 'RATE_LIMIT_PERIOD must be 10 or 60')
    .default(60),
  /**
   * How long an isolate serves the versions it loaded before it reads the `current` pointers again:
   * a promote or rollback (`dml-edge models promote|rollback --target r2`) reaches every isolate
   * within this time plus the new version's load. 0 reads them before every request.
   */
  CURRENT_TTL_SECONDS: Seconds(86_400).default(30),
  /**
   * How an isolate switches versions (live-app.ts): `release-first` (default) frees the old versions
   * before loading the new ones, so an isolate never holds two (the default deployment needs 92 MiB of
   * its 128 MB); `overlap` loads the new ones while the old serve (no pause, twice the memory meanwhile).
   */
  VERSION_SWITCH: z.enum(['release-first', 'overlap']).default('release-first'),
});
export type WorkerStateEnv = z.infer<typeof WorkerStateEnvSchema>;

export function parseWorkerStateEnv(env: unknown): WorkerStateEnv {
  const result = WorkerStateEnvSchema.safeParse(env ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(
      (i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`,
    );
    throw new Error(`invalid worker configuration: ${problems.join('; ')}`);
  }
  const parsed = result.data;
  if (parsed.REQUIRE_KEYS && !parsed.STATE) {
    throw new Error('invalid worker configuration: REQUIRE_KEYS needs the STATE D1 binding, where keys live');
  }
  return parsed;
}

/** A setting read from the env once per env object (every request asks for it). */
function perEnv<T>(read: (env: WorkerStateEnv) => T): (env: unknown) => T {
  const cache = new WeakMap<object, { value: T }>();
  return (env) => {
    const key = typeof env === 'object' && env !== null ? env : undefined;
    const known = key && cache.get(key);
    if (known) return known.value;
    const value = read(parseWorkerStateEnv(env));
    if (key) cache.set(key, { value });
    return value;
  };
}

/** CURRENT_TTL_SECONDS in ms. */
export const currentTtlMs = perEnv((env) => env.CURRENT_TTL_SECONDS * 1000);

/** VERSION_SWITCH. */
export const versionSwitchMode = perEnv((env) => env.VERSION_SWITCH);
