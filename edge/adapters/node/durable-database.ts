import type { SqliteDatabase } from '../../../shared/db/better-sqlite.ts';
import { migrationDatabase } from '../../../shared/db/better-sqlite.ts';
import { migrate } from '../../../shared/db/migrator.ts';
import { readMigrations } from '../../../shared/db/read-migrations.ts';

/** How long a write waits for another process's (e.g. `dml-edge keys create` while the server runs). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens one of the Node server's writable databases (the state, the written collections) and brings its
 * schema up to date from `migrationsDir`. WAL lets reads go on while a write is made; synchronous FULL
 * makes every commit durable before it is acknowledged. `what` names the database in errors.
 */
export async function openDurableDatabase(
  path: string,
  what: string,
  migrationsDir: string,
  open: (path: string) => SqliteDatabase,
): Promise<SqliteDatabase> {
  const failed = (error: unknown) =>
    new Error(`cannot open ${what} ${path}: ${(error as Error).message}`, { cause: error });
  let db: SqliteDatabase;
  try {
    db = open(path);
  } catch (error) {
    throw failed(error);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    await migrate(migrationDatabase(db), readMigrations(migrationsDir));
  } catch (error) {
    db.close();
    throw failed(error);
  }
  return db;
}
