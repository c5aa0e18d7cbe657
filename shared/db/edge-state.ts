import { z } from 'zod';

/**
 * The edge's state tables (migrations/edge-state/) as every store of them reads and writes them: Node's
 * state.db (edge/adapters/node/state-db.ts, better-sqlite3), the Worker's D1 database
 * (edge/adapters/workers/d1-state.ts) and the tooling that reaches D1 through wrangler (trainer/publish/
 * d1-keys.ts, trainer/tasks/recommendation/retrain/d1-event-log.ts). One set of statements and row shapes, so the stores
 * cannot drift apart.
 */

export const API_KEY_SCOPE_VALUES = ['read', 'write', 'admin'] as const;

export const EVENT_COLUMNS = 'id, collection, user_id, item_id, rating, occurred_at, client_id';

/**
 * One event; `ON CONFLICT DO NOTHING` skips an event whose client id the user already has in the
 * collection (the partial unique index of migration 0002), and then returns no row.
 * Parameters: collection, user, item, rating, occurred_at, received_at, client_id.
 */
export const INSERT_EVENT = `INSERT INTO events (collection, user_id, item_id, rating, occurred_at, received_at, client_id)
  VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING ${EVENT_COLUMNS}`;

/** Events of a user with the given client ids. Parameters: collection, user, JSON array of client ids. */
export const SELECT_EVENTS_BY_CLIENT_ID = `SELECT ${EVENT_COLUMNS} FROM events
  WHERE collection = ? AND user_id = ? AND client_id IN (SELECT value FROM json_each(?))`;

/** A user's events, oldest first. Parameters: collection, user. */
export const SELECT_USER_EVENTS = `SELECT ${EVENT_COLUMNS} FROM events
  WHERE collection = ? AND user_id = ? ORDER BY occurred_at, id`;

/** Events after a cursor, by id. Parameters: cursor, limit. */
export const SELECT_EVENTS_SINCE = `SELECT ${EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?`;

export const SELECT_KEY = 'SELECT * FROM api_keys WHERE id = ?';
export const SELECT_KEYS = 'SELECT * FROM api_keys ORDER BY created_at, id';
/** Parameters: id, name, scope, key_sha256, created_at. */
export const INSERT_KEY =
  'INSERT INTO api_keys (id, name, scope, key_sha256, created_at) VALUES (?, ?, ?, ?, ?)';
/** Parameters: revoked_at, id; changes no row when there is no such live key. */
export const REVOKE_KEY = 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL';

export const EventRowSchema = z.object({
  id: z.number().int(),
  collection: z.string(),
  user_id: z.string(),
  item_id: z.string(),
  rating: z.number().nullable(),
  occurred_at: z.number(),
  client_id: z.string().nullable(),
});

/** An events row as the EventStore port's StoredEvent (edge/ports.ts). */
export function toStoredEvent(raw: unknown) {
  const row = EventRowSchema.parse(raw);
  return {
    id: row.id,
    collection: row.collection,
    user: row.user_id,
    item: row.item_id,
    rating: row.rating,
    timestamp: row.occurred_at,
    clientId: row.client_id,
  };
}
export type StoredEventRow = ReturnType<typeof toStoredEvent>;

export const KeyRowSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  scope: z.enum(API_KEY_SCOPE_VALUES),
  key_sha256: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});
export type KeyRow = z.infer<typeof KeyRowSchema>;

/** A key as the KeyStore port finds it: no name or dates, only what a check needs. */
export function toStoredKey(raw: unknown) {
  const row = KeyRowSchema.parse(raw);
  return { id: row.id, scope: row.scope, sha256: row.key_sha256, revoked: row.revoked_at !== null };
}

/** A key as listings show it: everything but the hash. */
export function toKeyListing(raw: unknown) {
  const { key_sha256: _hash, ...listing } = KeyRowSchema.parse(raw);
  return listing;
}
export type KeyListing = ReturnType<typeof toKeyListing>;

/**
 * Orders what an append got back: for each event given, the row stored now or, when the insert was
 * skipped for its client id, the row stored earlier under that id. Throws when neither is there (a
 * skipped insert without a client id cannot happen: only the client-id index can conflict).
 */
export function appendedInOrder<E extends { clientId?: string | null }>(
  given: readonly E[],
  inserted: readonly (StoredEventRow | undefined)[],
  earlier: readonly StoredEventRow[],
): { events: StoredEventRow[]; stored: number } {
  const byClientId = new Map(earlier.map((row) => [row.clientId, row]));
  let stored = 0;
  const events = given.map((event, i) => {
    const row = inserted[i];
    if (row) {
      stored++;
      return row;
    }
    const before = event.clientId == null ? undefined : byClientId.get(event.clientId);
    if (!before) throw new Error(`event ${i} was neither stored nor found under its client id`);
    return before;
  });
  return { events, stored };
}

/** The client ids of a batch as the JSON array SELECT_EVENTS_BY_CLIENT_ID takes. */
export function clientIdsJson(events: readonly { clientId?: string | null }[]): string {
  return JSON.stringify(events.flatMap((e) => (e.clientId == null ? [] : [e.clientId])));
}
