/**
 * `applyD1Migrations` from `cloudflare:test`, for recommend.test.ts (beside cloudflare-test.d.ts, which
 * types the rest of what the tests use): applies the migrations readD1Migrations read in the global
 * setup, recording them in d1_migrations as `wrangler d1 migrations apply` does.
 */
declare module 'cloudflare:test' {
  export function applyD1Migrations(
    db: unknown,
    migrations: { name: string; queries: string[] }[],
    migrationsTableName?: string,
  ): Promise<void>;
}
