/** An interaction recorded at the edge (edge/ports.ts StoredEvent): ids only grow. */
export interface LoggedEvent {
  id: number;
  collection: string;
  user: string;
  item: string;
  /** null: an implicit interaction, always positive. */
  rating: number | null;
  /** Seconds since the epoch. */
  timestamp: number;
}

export interface EventPage {
  events: readonly LoggedEvent[];
  cursor: number;
}

/**
 * The edge's event log as the job reads it. The CLI adapts the Node state database's readEventsSince
 * (edge/adapters/node/state-db.ts) to it, so the trainer does not import the edge; the Worker's D1
 * database is read through wrangler (trainer/tasks/recommendation/retrain/d1-event-log.ts).
 */
export interface EventLog {
  /** Where the events live, for the snapshot's description. */
  readonly location: string;
  /**
   * The snapshot part's source name and the CSV it writes, so that logs of several edges (the Node
   * server's and the Worker's) can feed one job; the recommendation task's `edge-events` and events.csv
   * unless given.
   */
  readonly source?: { name: string; file: string };
  /** Events stored after `cursor` (an event id; 0 for all), oldest first, at most `limit`, and the next cursor. */
  readSince(cursor: number, limit: number): EventPage | Promise<EventPage>;
}
