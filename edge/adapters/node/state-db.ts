import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateApiKey } from '../../../shared/auth/api-key.ts';
import type { SqliteDatabase } from '../../../shared/db/better-sqlite.ts';
import {
  appendedInOrder,
  clientIdsJson,
  INSERT_EVENT,
  INSERT_KEY,
  REVOKE_KEY,
  SELECT_EVENTS_BY_CLIENT_ID,
  SELECT_EVENTS_SINCE,
  SELECT_KEY,
  SELECT_KEYS,
  SELECT_USER_EVENTS,
  toKeyListing,
  toStoredEvent,
  toStoredKey,
} from '../../../shared/db/edge-state.ts';
import { MIGRATIONS_DIR } from '../../../shared/db/read-migrations.ts';
import type { ApiKeyScope, EventStore, KeyStore, NewEvent, StoredEvent } from '../../ports.ts';
import { openDurableDatabase } from './durable-database.ts';

/** The state database's own schema history (see the first migration there for why it is separate). */
export const STATE_MIGRATIONS_DIR = join(MIGRATIONS_DIR, 'edge-state');

/** Where the state lives unless told otherwise: beside the models it records events for. */
export function defaultStatePath(artifactsDir: string): string {
  return join(artifactsDir, 'state.db');
}

export interface StateDb {
  readonly events: EventStore;
  readonly keys: KeyStore;
  /** The connection, for key administration and the retrain job's readEventsSince. */
  readonly db: SqliteDatabase;
  close(): void;
}

/**
 * Opens (creating the file if needed; its folder must exist) the edge's writable state and brings its
 * schema up to date. WAL lets
 * recommendation reads go on while an event is written; synchronous FULL makes every commit durable
 * before it is acknowledged.
 */
export async function openStateDb(path: string): Promise<StateDb> {
  const db = await openDurableDatabase(
    path,
    'the state database',
    STATE_MIGRATIONS_DIR,
    (file) => new Database(file),
  );
  return { events: eventStore(db), keys: keyStore(db), db, close: () => db.close() };
}

function eventStore(db: SqliteDatabase): EventStore {
  const insert = db.prepare(INSERT_EVENT);
  const byClientId = db.prepare(SELECT_EVENTS_BY_CLIENT_ID);
  const byUser = db.prepare(SELECT_USER_EVENTS);
  // One transaction: every new event of a request is committed, or none is.
  const appendAll = db.transaction((collection: string, user: string, events: readonly NewEvent[]) => {
    const receivedAt = new Date().toISOString();
    const inserted = events.map((e) => {
      const row = insert.get(collection, user, e.item, e.rating, e.timestamp, receivedAt, e.clientId ?? null);
      return row === undefined ? undefined : toStoredEvent(row);
    });
    const earlier = inserted.includes(undefined)
      ? byClientId.all(collection, user, clientIdsJson(events)).map(toStoredEvent)
      : [];
    return appendedInOrder(events, inserted, earlier);
  });
  return {
    append: async (collection, user, events) => appendAll(collection, user, events),
    history: async (collection, user) => byUser.all(collection, user).map(toStoredEvent),
  };
}

function keyStore(db: SqliteDatabase): KeyStore {
  const byId = db.prepare(SELECT_KEY);
  return {
    async find(id) {
      const raw = byId.get(id);
      return raw === undefined ? undefined : toStoredKey(raw);
    },
  };
}

export interface ApiKeyListing {
  id: string;
  name: string | null;
  scope: ApiKeyScope;
  created_at: string;
  revoked_at: string | null;
}

/** Creates a key and stores its hash; the returned `key` is the only time the key itself exists. */
export async function createApiKey(
  db: SqliteDatabase,
  options: { scope: ApiKeyScope; name?: string },
): Promise<ApiKeyListing & { key: string }> {
  const { id, key, sha256 } = await generateApiKey();
  const createdAt = new Date().toISOString();
  db.prepare(INSERT_KEY).run(id, options.name ?? null, options.scope, sha256, createdAt);
  return {
    id,
    key,
    name: options.name ?? null,
    scope: options.scope,
    created_at: createdAt,
    revoked_at: null,
  };
}

/** Every key, oldest first, without hashes. */
export function listApiKeys(db: SqliteDatabase): ApiKeyListing[] {
  return db.prepare(SELECT_KEYS).all().map(toKeyListing);
}

/** Revokes a key at once (the next request with it gets 401); false when there is no such live key. */
export function revokeApiKey(db: SqliteDatabase, id: string): boolean {
  const { changes } = db.prepare(REVOKE_KEY).run(new Date().toISOString(), id);
  return changes > 0;
}

/**
 * Events stored after `cursor` (an event id; 0 for all), oldest first, at most `limit`, and the cursor
 * to pass next time (the last id returned, or `cursor` itself when there is nothing new). This is what a
 * retrain job snapshots; the ids only grow, so nothing is read twice or skipped.
 */
export function readEventsSince(
  db: SqliteDatabase,
  cursor: number,
  limit = 100_000,
): { events: StoredEvent[]; cursor: number } {
  const events = db.prepare(SELECT_EVENTS_SINCE).all(cursor, limit).map(toStoredEvent);
  return { events, cursor: events.at(-1)?.id ?? cursor };
}
