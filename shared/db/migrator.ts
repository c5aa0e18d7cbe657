import { z } from 'zod';
import { sha256Hex } from '../hash.ts';

/**
 * Schema migrations over any SQLite binding. The logic only needs the three calls below, so it runs on
 * better-sqlite3 in Node today and on other bindings (sync or async) later without change.
 */

export type SqlParam = string | number | bigint | null;

export interface MigrationDatabase {
  /** Runs one or more statements without parameters or results. */
  exec(sql: string): void | Promise<void>;
  /** Runs one statement that returns no rows. */
  run(sql: string, params?: readonly SqlParam[]): void | Promise<void>;
  /** Runs one statement and returns its rows as plain objects. */
  all(sql: string, params?: readonly SqlParam[]): unknown[] | Promise<unknown[]>;
}

/** `0001_index.sql` -> version 1, name "index". */
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export const MigrationSchema = z
  .object({
    version: z.number().int().positive(),
    name: z.string().regex(/^[a-z0-9_]+$/),
    sql: z.string().min(1),
  })
  .strict();
export type Migration = z.infer<typeof MigrationSchema>;

const AppliedRowSchema = z.object({
  version: z.number().int(),
  name: z.string(),
  sha256: z.string(),
  applied_at: z.string(),
});
export type AppliedMigration = z.infer<typeof AppliedRowSchema>;

/** Parses a migration's file name; undefined for files that are not migrations. */
export function parseMigrationFileName(fileName: string): { version: number; name: string } | undefined {
  const match = FILE_NAME.exec(fileName);
  return match ? { version: Number(match[1]), name: match[2] } : undefined;
}

export function migrationFileName(migration: Pick<Migration, 'version' | 'name'>): string {
  return `${String(migration.version).padStart(4, '0')}_${migration.name}.sql`;
}

const CREATE_SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

export interface MigrateResult {
  /** Versions applied by this call, in order; empty when the database was up to date. */
  applied: number[];
}

/**
 * Applies the pending migrations in version order, each in its own transaction together with its
 * `schema_migrations` row, so a failure leaves the database at the last complete version. Refuses when an
 * applied migration's SQL has changed, when the database has a migration this code does not know, or when
 * a pending migration is older than one already applied: each means code and database disagree about
 * what the schema is. Running it again is a no-op.
 */
export async function migrate(
  db: MigrationDatabase,
  migrations: readonly Migration[],
  now: () => Date = () => new Date(),
): Promise<MigrateResult> {
  const parsed = migrations.map((m) => MigrationSchema.parse(m)).sort((a, b) => a.version - b.version);
  const ordered = await Promise.all(
    parsed.map(async (m) => ({ ...m, sha256: await sha256Hex(new TextEncoder().encode(m.sql)) })),
  );
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i].version === ordered[i - 1].version) {
      throw new Error(`two migrations share version ${ordered[i].version}`);
    }
  }

  await db.exec(CREATE_SCHEMA_MIGRATIONS);
  const appliedRows = z
    .array(AppliedRowSchema)
    .parse(await db.all('SELECT version, name, sha256, applied_at FROM schema_migrations ORDER BY version'));
  const applied = new Map(appliedRows.map((row) => [row.version, row]));
  const known = new Set(ordered.map((m) => m.version));

  for (const row of appliedRows) {
    if (!known.has(row.version)) {
      throw new Error(
        `the database has migration ${migrationFileName(row)} which this code does not have (is the code older than the database?)`,
      );
    }
  }

  for (const migration of ordered) {
    const row = applied.get(migration.version);
    if (row && row.sha256 !== migration.sha256) {
      throw new Error(
        `migration ${migrationFileName(migration)} was changed after it was applied (sha256 ${row.sha256} applied, ` +
          `${migration.sha256} now); add a new migration instead of editing an applied one`,
      );
    }
  }

  const newestApplied = appliedRows.at(-1)?.version ?? 0;
  const pending = ordered.filter((m) => !applied.has(m.version));
  const outOfOrder = pending.find((m) => m.version < newestApplied);
  if (outOfOrder) {
    throw new Error(
      `migration ${migrationFileName(outOfOrder)} is pending but the newer version ${newestApplied} is already applied`,
    );
  }

  for (const migration of pending) {
    await db.exec('BEGIN IMMEDIATE');
    try {
      await db.exec(migration.sql);
      await db.run('INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)', [
        migration.version,
        migration.name,
        migration.sha256,
        now().toISOString(),
      ]);
      await db.exec('COMMIT');
    } catch (error) {
      await rollBack(db);
      throw new Error(`migration ${migrationFileName(migration)} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return { applied: pending.map((m) => m.version) };
}

async function rollBack(db: MigrationDatabase): Promise<void> {
  try {
    await db.exec('ROLLBACK');
  } catch {
    // SQLite already rolled back on its own (it does for some errors); the migration's error is the news.
  }
}
