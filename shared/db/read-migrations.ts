import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Migration, parseMigrationFileName } from './migrator.ts';

/** The repository's `migrations/` folder, found from this file rather than the working directory. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Reads every `NNNN_name.sql` in `dir` (Node only); other files are ignored. */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const fileName of readdirSync(dir).sort()) {
    const parsed = parseMigrationFileName(fileName);
    if (parsed) migrations.push({ ...parsed, sql: readFileSync(join(dir, fileName), 'utf8') });
  }
  return migrations;
}
