import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationDatabase, openVecDatabase, type SqliteDatabase } from './better-sqlite.ts';
import { type Migration, migrate, parseMigrationFileName } from './migrator.ts';
import { readMigrations } from './read-migrations.ts';

let dir: string;
let db: SqliteDatabase;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'migrator-'));
  db = openVecDatabase(join(dir, 'test.db'), { readonly: false });
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const schema = () =>
  db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all();
const appliedRows = () => db.prepare('SELECT * FROM schema_migrations ORDER BY version').all();
const tables = () =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[];

const first: Migration = { version: 1, name: 'first', sql: 'CREATE TABLE a (x INTEGER);' };
const second: Migration = { version: 2, name: 'second', sql: 'CREATE TABLE b (y TEXT);' };

describe('migrate', () => {
  it("applies the repository's migrations once: a second run changes neither schema nor schema_migrations", async () => {
    const migrations = readMigrations();
    expect(migrations.map((m) => `${m.version}:${m.name}`)).toContain('1:index');

    expect(await migrate(migrationDatabase(db), migrations)).toEqual({
      applied: migrations.map((m) => m.version),
    });
    const schemaAfterFirst = schema();
    const rowsAfterFirst = appliedRows();
    expect(tables()).toEqual(expect.arrayContaining(['collections', 'items', 'models', 'schema_migrations']));
    expect(rowsAfterFirst).toHaveLength(migrations.length);

    expect(await migrate(migrationDatabase(db), migrations)).toEqual({ applied: [] });
    expect(schema()).toEqual(schemaAfterFirst);
    expect(appliedRows()).toEqual(rowsAfterFirst);
  });

  it('records version, name, the sha256 of the SQL and the time of each migration', async () => {
    await migrate(migrationDatabase(db), [first], () => new Date('2025-01-02T03:04:05.000Z'));
    expect(appliedRows()).toEqual([
      {
        version: 1,
        name: 'first',
        // sha256 of the SQL text, computed independently: printf 'CREATE TABLE a (x INTEGER);' | sha256sum
        sha256: '038a26bc41bee121077edb6515a0d0d125d48b83120e525a0a93fa4112edd1f2',
        applied_at: '2025-01-02T03:04:05.000Z',
      },
    ]);
  });

  it('applies pending migrations in version order whatever order they are given in', async () => {
    await migrate(migrationDatabase(db), [first]);
    expect(await migrate(migrationDatabase(db), [second, first])).toEqual({ applied: [2] });
    expect(tables()).toEqual(['a', 'b', 'schema_migrations']);
  });

  it('refuses when an applied migration was edited, naming it', async () => {
    await migrate(migrationDatabase(db), [first, second]);
    const edited = { ...second, sql: 'CREATE TABLE b (y TEXT, z TEXT);' };
    await expect(migrate(migrationDatabase(db), [first, edited])).rejects.toThrow(
      /migration 0002_second\.sql was changed after it was applied/,
    );
  });

  it('refuses a database that has a migration the code does not know', async () => {
    await migrate(migrationDatabase(db), [first, second]);
    await expect(migrate(migrationDatabase(db), [first])).rejects.toThrow(
      /0002_second\.sql which this code does not have/,
    );
  });

  it('refuses a pending migration older than an applied one', async () => {
    await migrate(migrationDatabase(db), [second]);
    await expect(migrate(migrationDatabase(db), [first, second])).rejects.toThrow(
      /0001_first\.sql is pending but the newer version 2 is already applied/,
    );
  });

  it('rolls a failing migration back completely and keeps the ones before it', async () => {
    const broken: Migration = {
      version: 2,
      name: 'broken',
      sql: 'CREATE TABLE b (y TEXT); CREATE TABLE a (x);',
    };
    await expect(migrate(migrationDatabase(db), [first, broken])).rejects.toThrow(
      /migration 0002_broken\.sql failed: table a already exists/,
    );
    expect(tables()).toEqual(['a', 'schema_migrations']);
    expect(appliedRows()).toHaveLength(1);
  });

  it('refuses two migrations with one version', async () => {
    await expect(migrate(migrationDatabase(db), [first, { ...second, version: 1 }])).rejects.toThrow(
      /two migrations share version 1/,
    );
  });
});

describe('parseMigrationFileName', () => {
  it('reads NNNN_name.sql and ignores anything else', () => {
    expect(parseMigrationFileName('0001_index.sql')).toEqual({ version: 1, name: 'index' });
    expect(parseMigrationFileName('0012_add_tags.sql')).toEqual({ version: 12, name: 'add_tags' });
    expect(parseMigrationFileName('README.md')).toBeUndefined();
    expect(parseMigrationFileName('1_index.sql')).toBeUndefined();
  });
});
