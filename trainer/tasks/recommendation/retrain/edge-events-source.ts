import { join } from 'node:path';
import { writeFileAtomicSync } from '../../../../shared/artifacts/atomic-fs.ts';
import { describeFile } from '../../../../shared/artifacts/verify.ts';
import type { EventLog, LoggedEvent } from '../../../retrain/event-log.ts';
import type { DataSource, SnapshotPart } from '../../../retrain/snapshot.ts';
import type { InteractionColumns } from '../interactions.ts';

export const EVENTS_FILE = 'events.csv';
export const EDGE_EVENTS_SOURCE = { name: 'edge-events', file: EVENTS_FILE } as const;

/** The source name and CSV file a log's events are snapshotted under. */
export function eventLogSource(log: EventLog): { name: string; file: string } {
  return log.source ?? EDGE_EVENTS_SOURCE;
}

/** Events read per query: bounds memory per read, not the snapshot. */
const PAGE = 10_000;

/**
 * The events the edge recorded for a recommendation model's collection, copied from the log into the
 * snapshot as an interaction CSV with the config's column names (`userId,movieId,rating,timestamp` by
 * default; an empty rating for an implicit event). It holds every event up to the log's last id when
 * the snapshot was taken; that id is the part's cursor. Events stored later are in the next snapshot,
 * and `newRecords` counts those after the previous snapshot's cursor. A config without a rating column
 * gets the events without their ratings (every row of such files is positive).
 */
export function edgeEventsSource(
  log: EventLog,
  options: { collection: string; columns: InteractionColumns },
): DataSource {
  const { collection, columns } = options;
  const source = eventLogSource(log);
  const header = [columns.user, columns.item, ...(columns.rating ? [columns.rating] : []), columns.timestamp];
  const row = (e: LoggedEvent) =>
    [e.user, e.item, ...(columns.rating ? [e.rating ?? ''] : []), e.timestamp].map(csvField).join(',');
  return {
    name: source.name,
    async freeze(dir, previous): Promise<SnapshotPart> {
      const since = Number(previous?.cursor ?? 0);
      const lines = [header.map(csvField).join(',')];
      let newRecords = 0;
      let cursor = 0;
      for (;;) {
        const page = await log.readSince(cursor, PAGE);
        for (const event of page.events) {
          if (event.collection !== collection) continue;
          lines.push(row(event));
          if (event.id > since) newRecords++;
        }
        cursor = page.cursor;
        if (page.events.length < PAGE) break;
      }
      const path = join(dir, source.file);
      writeFileAtomicSync(path, `${lines.join('\n')}\n`);
      const { path: name, sha256, bytes } = await describeFile(path);
      return {
        source: source.name,
        description: `events for collection ${collection} in ${log.location}, ids up to ${cursor}`,
        files: [{ name, sha256, bytes }],
        records: lines.length - 1,
        newRecords: previous ? newRecords : null,
        cursor: String(cursor),
      };
    },
  };
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break (user ids are free text). */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
