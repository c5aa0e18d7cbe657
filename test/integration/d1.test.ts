import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../shared/auth/api-key.ts';
import { INSERT_KEY } from '../../shared/db/edge-state.ts';
import {
  bindLiterals,
  type D1Target,
  d1Execute,
  d1MigrationsApply,
  parseD1Target,
  sqlLiteral,
} from '../../trainer/publish/d1.ts';
import { createD1ApiKey, listD1ApiKeys, revokeD1ApiKey } from '../../trainer/publish/d1-keys.ts';

describe('SQL literals for wrangler d1 execute', () => {
  it('quote text (quotes doubled), write finite numbers and NULL, and refuse the rest', () => {
    expect(sqlLiteral("o'brien; DROP TABLE api_keys; --")).toBe("'o''brien; DROP TABLE api_keys; --'");
    expect([sqlLiteral(1.5), sqlLiteral(-3), sqlLiteral(null)]).toEqual(['1.5', '-3', 'NULL']);
    expect(() => sqlLiteral(Number.NaN)).toThrow(/NaN/);
    expect(() => sqlLiteral('a\0b')).toThrow(/NUL/);
  });

  it('fill every placeholder of a shared statement, and only statements without quoted text', () => {
    expect(bindLiterals(INSERT_KEY, ['k', null, 'read', 'ab', 't'])).toBe(
      "INSERT INTO api_keys (id, name, scope, key_sha256, created_at) VALUES ('k', NULL, 'read', 'ab', 't')",
    );
    expect(() => bindLiterals(INSERT_KEY, ['k'])).toThrow(/5 placeholders, given 1/);
    expect(() => bindLiterals("SELECT '?' WHERE x = ?", [1])).toThrow(/quoted text/);
  });

  it('say where a target is, and keep --persist-to for local databases', () => {
    expect(() => parseD1Target({ persistTo: '/tmp/x' })).toThrow(/local database only/);
    expect(() => parseD1Target({ database: 'x; rm' })).toThrow(/binding or database name/);
    expect(parseD1Target({})).toEqual({ database: 'STATE', local: false });
  });
});

describe('API keys in a local D1 database, through wrangler', () => {
  let dir: string;
  let target: D1Target;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'd1-keys-'));
    target = parseD1Target({ local: true, persistTo: dir });
    await d1MigrationsApply(target);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are created (only the hash stored), listed and revoked as on Node', async () => {
    const created = await createD1ApiKey(target, { scope: 'write', name: "ingest's key" });
    const [[row]] = await d1Execute(target, `SELECT * FROM api_keys WHERE id = ${sqlLiteral(created.id)}`);
    expect(row.key_sha256).toBe(await hashApiKey(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key.slice(`dmle_${created.id}_`.length));
    expect(await listD1ApiKeys(target)).toEqual([
      {
        id: created.id,
        name: "ingest's key",
        scope: 'write',
        created_at: created.created_at,
        revoked_at: null,
      },
    ]);
    await revokeD1ApiKey(target, created.id);
    await expect(revokeD1ApiKey(target, created.id)).rejects.toThrow(
      `no live key ${created.id} in D1 STATE (local, ${dir})`,
    );
    expect((await listD1ApiKeys(target))[0].revoked_at).toMatch(/^\d{4}-/);
  }, 120_000);

  it('live in the tables the migrations made: the same schema as a Node state.db', async () => {
    const [tables] = await d1Execute(
      target,
      "SELECT name, sql FROM sqlite_schema WHERE name IN ('api_keys', 'events', 'events_by_user', 'events_by_client_id') ORDER BY name",
    );
    const node = new Database(join(dir, 'node.db'));
    try {
      const { openStateDb } = await import('../../edge/adapters/node/state-db.ts');
      (await openStateDb(join(dir, 'node.db'))).close();
      const nodeTables = node
        .prepare(
          "SELECT name, sql FROM sqlite_schema WHERE name IN ('api_keys', 'events', 'events_by_user', 'events_by_client_id') ORDER BY name",
        )
        .all();
      // wrangler drops the comments of the migration files; the statements are the same.
      const bare = (rows: unknown[]) =>
        (rows as { name: string; sql: string }[]).map(({ name, sql }) => ({
          name,
          sql: sql.replace(/--[^\n]*/g, '').replace(/\s+/g, ' '),
        }));
      expect(bare(tables)).toEqual(bare(nodeTables));
      expect(tables).toHaveLength(4);
    } finally {
      node.close();
    }
  }, 120_000);
});
