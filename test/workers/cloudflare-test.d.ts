/**
 * What the workerd tests use from `cloudflare:test` (@cloudflare/vitest-pool-workers), typed here
 * because @cloudflare/workers-types is not a dependency. Bindings come from wrangler.toml and
 * vitest.workers.config.ts.
 */
declare module 'cloudflare:test' {
  /** The R2Bucket methods the tests use; a superset of the worker's R2BucketBinding. */
  export interface TestR2Bucket {
    get(key: string): Promise<{ body: ReadableStream<Uint8Array>; text(): Promise<string> } | null>;
    list(options: { prefix?: string; delimiter?: string; cursor?: string }): Promise<{
      objects: { key: string }[];
      delimitedPrefixes: string[];
      truncated: boolean;
      cursor?: string;
    }>;
    put(key: string, value: Uint8Array | string): Promise<unknown>;
    delete(keys: string | string[]): Promise<void>;
  }

  /** The worker wrangler.toml's `main` exports, running in this isolate. */
  export const SELF: { fetch(input: string, init?: RequestInit): Promise<Response> };

  export const env: {
    /** The worker's bucket (wrangler.toml). */
    MODELS: TestR2Bucket;
    /** An empty bucket for tests that break artifacts on purpose. */
    SCRATCH: TestR2Bucket;
    DEFAULT_MODEL: string;
    /** The published folder as static assets (vitest.workers.config.ts). */
    ARTIFACT_ASSETS: { fetch(input: string): Promise<Response> };
  };
}
