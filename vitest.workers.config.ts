import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/**
 * The workerd suites (test/workers/): the worker from wrangler.toml runs inside the real Workers
 * runtime, fed by models the trainer makes in the Node global setup. `npm test` runs these after the
 * Node suites (vitest.config.ts).
 */
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: './edge/adapters/workers/worker.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: { DEFAULT_MODEL: 'tiny' },
        // SCRATCH: an empty bucket for tests that break artifacts on purpose.
        // RECS: the tiny recommendation model (recommend.test.ts).
        r2Buckets: { MODELS: 'dml-edge-models', SCRATCH: 'dml-edge-scratch', RECS: 'dml-edge-recs' },
        // recommend.test.ts: a limit small enough to reach (wrangler.toml's are generous).
        ratelimits: { TIGHT_LIMIT: { simple: { limit: 3, period: 60 } } },
        // The published folder as real Workers static assets, behind a service binding.
        serviceBindings: { ARTIFACT_ASSETS: 'artifact-assets' },
        workers: [
          {
            name: 'artifact-assets',
            modules: true,
            script: 'export default { fetch: (request, env) => env.ASSETS.fetch(request) };',
            compatibilityDate: '2026-04-26',
            assets: { directory: inject('assetsDir'), binding: 'ASSETS' },
          },
        ],
      },
    })),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    globalSetup: [
      'test/workers/global-setup.ts',
      'test/workers/shards-setup.ts',
      'test/workers/recs-setup.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
