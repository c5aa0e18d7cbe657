import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../shared/auth/api-key.ts';
import { migrationDatabase } from '../../../shared/db/better-sqlite.ts';
import { migrate } from '../../../shared/db/migrator.ts';
import { readMigrations } from '../../../shared/db/read-migrations.ts';
import { verifyApiKey } from '../../auth/require-scope.ts';
import {
  createApiKey,
  listApiKeys,
  openStateDb,
  readEventsSince,
  revokeApiKey,
  STATE_MIGRATIONS_DIR,
  type StateDb,
} from './state-db.ts';

let dir: string;
let state: StateDb;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'state-db-'));
  state = await openStateDb(join(dir, 'state.db'));
});

afterEach(() => {
  state.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the state database', () => {
  it('is in WAL mode with full sync, and reopening it applies no migration twice', async () => {
    expect(state.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(state.db.pragma('synchronous', { simple: true })).toBe(2);
    state.close();
    state = await openStateDb(join(dir, 'state.db'));
    expect(state.db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([
      { version: 1, name: 'edge_state' },
      { version: 2, name: 'event_ids' },
    ]);
  });

  it('upgrades a state.db made before event ids, keeping its keys and events', async () => {
    state.close();
    const old = join(dir, 'old.db');
    const db = new Database(old);
    await migrate(
      migrationDatabase(db),
      readMigrations(STATE_MIGRATIONS_DIR).filter((m) => m.version === 1),
    );
    db.prepare(
      "INSERT INTO events (collection, user_id, item_id, rating, occurred_at, received_at) VALUES ('films', 'u1', '10', NULL, 5, 'then')",
    ).run();
    db.close();
    state = await openStateDb(old);
    expect(await state.events.history('films', 'u1')).toEqual([
      { id: 1, collection: 'films', user: 'u1', item: '10', rating: null, timestamp: 5, clientId: null },
    ]);
    const retried = [{ item: '20', rating: null, timestamp: 6, clientId: 'e-1' }];
    expect((await state.events.append('films', 'u1', retried)).stored).toBe(1);
    expect((await state.events.append('films', 'u1', retried)).stored).toBe(0);
  });

  it('says which file it cannot open', async () => {
    await expect(openStateDb(join(dir, 'missing', 'state.db'))).rejects.toThrow(
      /cannot open the state database .*missing\/state\.db/,
    );
  });
});

describe('events', () => {
  it('are stored in arrival order with growing ids and read back per user, oldest first', async () => {
    const first = await state.events.append('films', 'u1', [
      { item: '10', rating: 4.5, timestamp: 200 },
      { item: '20', rating: null, timestamp: 100 },
    ]);
    await state.events.append('films', 'u2', [{ item: '10', rating: null, timestamp: 50 }]);
    await state.events.append('books', 'u1', [{ item: 'b', rating: null, timestamp: 1 }]);
    expect(first.events.map((e) => e.id)).toEqual([1, 2]);
    expect(first.stored).toBe(2);
    expect((await state.events.history('films', 'u1')).map((e) => [e.item, e.timestamp])).toEqual([
      ['20', 100],
      ['10', 200],
    ]);
    expect(await state.events.history('films', 'nobody')).toEqual([]);
  });

  it('are written all or none: a failing event rolls back the ones before it', async () => {
    await expect(
      state.events.append('films', 'u1', [
        { item: '10', rating: null, timestamp: 1 },
        { item: '20', rating: null, timestamp: Number.NaN },
      ]),
    ).rejects.toThrow(/NOT NULL/);
    expect(readEventsSince(state.db, 0).events).toEqual([]);
  });

  it('with client ids are stored once: a retried batch returns the earlier records and stores only what is new', async () => {
    const batch = [
      { item: '10', rating: 5, timestamp: 1, clientId: 'a' },
      { item: '20', rating: null, timestamp: 2, clientId: 'b' },
    ];
    const first = await state.events.append('films', 'u1', batch);
    expect(first.stored).toBe(2);
    // The answer was lost; the client sends the batch again, with one more event and a new time for 'a'.
    const retry = await state.events.append('films', 'u1', [
      { ...batch[0], timestamp: 99 },
      { item: '30', rating: null, timestamp: 3, clientId: 'c' },
      batch[1],
    ]);
    expect(retry.stored).toBe(1);
    // (A skipped insert may use up an id: ids only grow, with gaps.)
    expect(retry.events.map((e) => [e.id, e.item, e.timestamp, e.clientId])).toEqual([
      [1, '10', 1, 'a'],
      [expect.any(Number), '30', 3, 'c'],
      [2, '20', 2, 'b'],
    ]);
    expect(retry.events[1].id).toBeGreaterThan(2);
    // Ids are per user and collection; events without one are stored every time.
    expect((await state.events.append('films', 'u2', [batch[0]])).stored).toBe(1);
    expect((await state.events.append('books', 'u1', [batch[0]])).stored).toBe(1);
    const bare = { item: '10', rating: null, timestamp: 1 };
    expect((await state.events.append('films', 'u1', [bare, bare])).stored).toBe(2);
    expect((await state.events.history('films', 'u1')).map((e) => e.item)).toEqual([
      '10',
      '10',
      '10',
      '20',
      '30',
    ]);
  });

  it('are read by a retrain job from a cursor, in pages, never twice', async () => {
    await state.events.append('films', 'u1', [
      { item: '1', rating: null, timestamp: 1 },
      { item: '2', rating: 2, timestamp: 2 },
      { item: '3', rating: null, timestamp: 3 },
    ]);
    const page = readEventsSince(state.db, 0, 2);
    expect(page.events.map((e) => e.item)).toEqual(['1', '2']);
    expect(page.events[1]).toEqual({
      id: 2,
      collection: 'films',
      user: 'u1',
      item: '2',
      rating: 2,
      timestamp: 2,
      clientId: null,
    });
    const next = readEventsSince(state.db, page.cursor);
    expect(next.events.map((e) => e.item)).toEqual(['3']);
    expect(readEventsSince(state.db, next.cursor)).toEqual({ events: [], cursor: next.cursor });
  });
});

describe('API keys', () => {
  it('are stored only as a hash, listed without it, and checked against it', async () => {
    const created = await createApiKey(state.db, { scope: 'write', name: 'ingest' });
    const stored = JSON.stringify(state.db.prepare('SELECT * FROM api_keys').all());
    // The secret is base64url, so it may itself contain '_': cut it after the id rather than splitting.
    expect(stored).not.toContain(created.key.slice(`dmle_${created.id}_`.length));
    expect(stored).toContain(await hashApiKey(created.key));
    expect(listApiKeys(state.db)).toEqual([
      { id: created.id, name: 'ingest', scope: 'write', created_at: created.created_at, revoked_at: null },
    ]);
    expect(await verifyApiKey(state.keys, created.key)).toMatchObject({ id: created.id, scope: 'write' });
    const lastChanged = `${created.key.slice(0, -1)}${created.key.endsWith('A') ? 'B' : 'A'}`;
    expect(await verifyApiKey(state.keys, lastChanged)).toBeUndefined();
  });

  it('stop working once revoked, and revoking twice says so', async () => {
    const created = await createApiKey(state.db, { scope: 'read' });
    expect(revokeApiKey(state.db, created.id)).toBe(true);
    expect(revokeApiKey(state.db, created.id)).toBe(false);
    expect(revokeApiKey(state.db, 'nope')).toBe(false);
    expect(await verifyApiKey(state.keys, created.key)).toBeUndefined();
    expect(listApiKeys(state.db)[0].revoked_at).toMatch(/^\d{4}-/);
  });
});
