import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEventLog } from '../../cli/commands/retrain.ts';
import { openStateDb, type StateDb } from '../../edge/adapters/node/state-db.ts';
import { takeSnapshot } from '../../trainer/retrain/snapshot.ts';
import { BadRows } from '../../trainer/tasks/recommendation/bad-rows.ts';
import {
  InteractionColumnsSchema,
  parseInteractions,
} from '../../trainer/tasks/recommendation/interactions.ts';
import {
  EVENTS_FILE,
  edgeEventsSource,
} from '../../trainer/tasks/recommendation/retrain/edge-events-source.ts';

/**
 * The edge's events in a retrain snapshot, read from a real state database through the CLI's adapter:
 * what is copied, in which format, and how the cursor tells the next snapshot what is new.
 */
const COLLECTION = 'tiny-movies';
const MOVIELENS_COLUMNS = InteractionColumnsSchema.parse({});

let dir: string;
let state: StateDb;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'events-source-'));
  state = await openStateDb(join(dir, 'state.db'));
});

afterEach(() => {
  state.close();
  rmSync(dir, { recursive: true, force: true });
});

async function snapshotOf(
  name: string,
  columns = MOVIELENS_COLUMNS,
  previous?: Awaited<ReturnType<typeof takeSnapshot>>,
) {
  const log = await openEventLog(join(dir, 'state.db'));
  try {
    const source = edgeEventsSource(log, { collection: COLLECTION, columns });
    const snapshot = await takeSnapshot([source], join(dir, name), previous);
    return { snapshot, part: snapshot.parts[0], csv: readFileSync(join(dir, name, EVENTS_FILE), 'utf8') };
  } finally {
    log.close();
  }
}

describe('the edge events source', () => {
  it("copies the collection's events as an interaction CSV the training reads back unchanged", async () => {
    await state.events.append(COLLECTION, 'night, owl', [
      { item: '101', rating: null, timestamp: 1_700_000_000.5 },
      { item: '"102"', rating: 2, timestamp: 1_700_000_001 },
    ]);
    await state.events.append('another-collection', 'u2', [{ item: '9', rating: 5, timestamp: 1 }]);
    const { part, csv } = await snapshotOf('a');
    expect(part).toMatchObject({ source: 'edge-events', records: 2, newRecords: null, cursor: '3' });
    expect(csv).toBe(
      'userId,movieId,rating,timestamp\n"night, owl",101,,1700000000.5\n"night, owl","""102""",2,1700000001\n',
    );
    const bad = new BadRows(true);
    const read = parseInteractions(csv, EVENTS_FILE, MOVIELENS_COLUMNS, new Set(['101', '"102"']), bad);
    expect(read.map(({ user, item, rating, timestamp }) => [user, item, rating, timestamp])).toEqual([
      ['night, owl', '101', null, 1_700_000_000.5],
      ['night, owl', '"102"', 2, 1_700_000_001],
    ]);
    expect(bad.count).toBe(0);
  });

  it('holds every event up to its cursor; the next snapshot counts those after it as new', async () => {
    await state.events.append(COLLECTION, 'u1', [{ item: '101', rating: 5, timestamp: 1 }]);
    const first = await snapshotOf('a');
    // Recorded while the first run trains: not in its snapshot, in the next one.
    await state.events.append(COLLECTION, 'u1', [{ item: '102', rating: 4, timestamp: 2 }]);
    await state.events.append('another-collection', 'u1', [{ item: '9', rating: 4, timestamp: 3 }]);
    const second = await snapshotOf('b', MOVIELENS_COLUMNS, first.snapshot);
    expect(second.part).toMatchObject({ records: 2, newRecords: 1, cursor: '3' });
    expect(second.snapshot.fingerprint).not.toBe(first.snapshot.fingerprint);
    const third = await snapshotOf('c', MOVIELENS_COLUMNS, second.snapshot);
    expect(third.part).toMatchObject({ records: 2, newRecords: 0, cursor: '3' });
    expect(third.snapshot.fingerprint).toBe(second.snapshot.fingerprint);
  });

  it('reads the log in pages, to the last event', async () => {
    const many = Array.from({ length: 10_050 }, (_, n) => ({ item: String(n), rating: null, timestamp: n }));
    await state.events.append(COLLECTION, 'u1', many);
    const { part, csv } = await snapshotOf('a');
    expect(part).toMatchObject({ records: 10_050, cursor: '10050' });
    expect(csv.trimEnd().split('\n').at(-1)).toBe('u1,10049,,10049');
  });

  it("writes the config's column names, and no rating when its files have none", async () => {
    await state.events.append(COLLECTION, 'u1', [{ item: '101', rating: 1, timestamp: 5 }]);
    const columns = InteractionColumnsSchema.parse({
      user: 'user',
      item: 'item',
      rating: null,
      timestamp: 'ts',
    });
    expect((await snapshotOf('a', columns)).csv).toBe('user,item,ts\nu1,101,5\n');
  });

  it('reads a state database that does not exist yet as no events', async () => {
    const log = await openEventLog(join(dir, 'absent.db'));
    const source = edgeEventsSource(log, { collection: COLLECTION, columns: MOVIELENS_COLUMNS });
    const { parts } = await takeSnapshot([source], join(dir, 'a'));
    expect(parts[0]).toMatchObject({ records: 0, cursor: '0' });
  });
});
