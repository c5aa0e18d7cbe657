import {
  appendedInOrder,
  clientIdsJson,
  INSERT_EVENT,
  SELECT_EVENTS_BY_CLIENT_ID,
  SELECT_KEY,
  SELECT_USER_EVENTS,
  toStoredEvent,
  toStoredKey,
} from '../../../shared/db/edge-state.ts';
import type { EventStore, KeyStore } from '../../ports.ts';

/** The part of Cloudflare's D1 binding (a `[[d1_databases]]` entry) the Worker's state uses. */
export interface D1DatabaseBinding {
  prepare(sql: string): D1PreparedStatement;
  /** Runs the statements in order, in one transaction: all commit, or none does. */
  batch(statements: D1PreparedStatement[]): Promise<D1Result[]>;
}

export interface D1PreparedStatement {
  bind(...values: (string | number | null)[]): D1PreparedStatement;
  all(): Promise<D1Result>;
  first(): Promise<Record<string, unknown> | null>;
}

export interface D1Result {
  results: Record<string, unknown>[];
}

export interface D1State {
  events: EventStore;
  keys: KeyStore;
}

/**
 * The edge's state in D1, the Worker's twin of edge/adapters/node/state-db.ts: the same tables
 * (migrations/edge-state/, applied with `wrangler d1 migrations apply`) and the same statements
 * (shared/db/edge-state.ts). A request's events go in one `batch`, which D1 runs as one transaction and
 * acknowledges once it is durable, so an answered write is never lost and a failed one stores nothing.
 */
export function d1State(db: D1DatabaseBinding): D1State {
  const events: EventStore = {
    async append(collection, user, given) {
      const receivedAt = new Date().toISOString();
      const inserts = given.map((e) =>
        db
          .prepare(INSERT_EVENT)
          .bind(collection, user, e.item, e.rating, e.timestamp, receivedAt, e.clientId ?? null),
      );
      const withIds = given.some((e) => e.clientId != null);
      // Read in the same transaction: the earlier records of the ids whose inserts were skipped.
      const lookup = withIds
        ? [db.prepare(SELECT_EVENTS_BY_CLIENT_ID).bind(collection, user, clientIdsJson(given))]
        : [];
      const results = await db.batch([...inserts, ...lookup]);
      const inserted = results
        .slice(0, given.length)
        .map((result) => (result.results.length > 0 ? toStoredEvent(result.results[0]) : undefined));
      const earlier = withIds ? results[given.length].results.map(toStoredEvent) : [];
      return appendedInOrder(given, inserted, earlier);
    },
    async history(collection, user) {
      const { results } = await db.prepare(SELECT_USER_EVENTS).bind(collection, user).all();
      return results.map(toStoredEvent);
    },
  };
  const keys: KeyStore = {
    async find(id) {
      const row = await db.prepare(SELECT_KEY).bind(id).first();
      return row === null ? undefined : toStoredKey(row);
    },
  };
  return { events, keys };
}
