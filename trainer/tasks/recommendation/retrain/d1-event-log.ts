import { SELECT_EVENTS_SINCE, toStoredEvent } from '../../../../shared/db/edge-state.ts';
import { bindLiterals, type D1Target, d1Execute, describeD1Target } from '../../../publish/d1.ts';
import type { EventLog } from '../../../retrain/event-log.ts';

/** The snapshot part and CSV of the Worker's events, beside the Node server's `edge-events`. */
export const D1_EVENTS_SOURCE = { name: 'edge-events-d1', file: 'events-d1.csv' } as const;

/**
 * The events the Worker recorded in its D1 database, as the retrain job reads an event log: pages of
 * `SELECT ... WHERE id > cursor ORDER BY id` through `wrangler d1 execute --json` (locally with
 * `local`), the same statement the Node state database is read with. A database without the events
 * table (migrations never applied: nothing was ever recorded) reads as no events.
 */
export function d1EventLog(target: D1Target): EventLog {
  return {
    location: describeD1Target(target),
    source: D1_EVENTS_SOURCE,
    async readSince(cursor, limit) {
      let rows: Record<string, unknown>[];
      try {
        [rows] = await d1Execute(target, bindLiterals(SELECT_EVENTS_SINCE, [cursor, limit]));
      } catch (error) {
        if (/no such table: events/.test((error as Error).message)) return { events: [], cursor };
        throw error;
      }
      const events = rows.map(toStoredEvent);
      return { events, cursor: events.at(-1)?.id ?? cursor };
    },
  };
}
