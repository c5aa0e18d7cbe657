import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRowsError } from './bad-rows.ts';
import { parseRecsConfig, type RecsConfig } from './config.ts';
import { loadRecsDataset } from './dataset.ts';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'recs-dataset-'));
  writeFileSync(
    join(dir, 'movies.csv'),
    [
      'movieId,title,genres',
      '10,Heat (1995),Action|Crime|Thriller',
      '20,"Ghost, The (1990)",Drama|Romance',
      '30,Babylon 5,(no genres listed)',
      '40,Toy Story (1995),Animation|Children',
      '20,Repeated (2000),Drama',
    ].join('\n'),
  );
  // User a: positives 10 (t=1), 20 (t=5), 40 (t=5, later in the file), 30 (t=9); a 2.0 on 30 at t=3.
  // User b: two positives only. Line 9 is bad (unknown movie), line 10 too (timestamp not a number).
  writeFileSync(
    join(dir, 'ratings.csv'),
    [
      'userId,movieId,rating,timestamp',
      'a,40,5.0,5',
      'a,10,4.0,1',
      'b,10,4.5,7',
      'a,30,2.0,3',
      'a,20,4.0,5',
      'b,20,5.0,8',
      'a,30,4.5,9',
      'b,99,4.0,9',
      'b,40,4.0,yesterday',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(data: Record<string, unknown> = {}): RecsConfig['data'] {
  return parseRecsConfig(
    {
      name: 'test',
      data: { interactions: ['ratings.csv'], items: 'movies.csv', ...data },
      loss: { name: 'multiple_negatives_ranking' },
      train: {},
      index: { collection: 'test' },
    },
    'test config',
    dir,
  ).data;
}

describe('loadRecsDataset', () => {
  it('reads the catalogue with categories and the year from the title', () => {
    const dataset = loadRecsDataset(config());
    expect(dataset.items).toEqual([
      { id: '10', title: 'Heat (1995)', categories: ['Action', 'Crime', 'Thriller'], year: 1995 },
      { id: '20', title: 'Ghost, The (1990)', categories: ['Drama', 'Romance'], year: 1990 },
      { id: '30', title: 'Babylon 5', categories: [], year: null },
      { id: '40', title: 'Toy Story (1995)', categories: ['Animation', 'Children'], year: 1995 },
    ]);
  });

  it('skips and counts bad rows, naming file and line', () => {
    const { badRows, interactions } = loadRecsDataset(config());
    expect(badRows.count).toBe(3);
    expect(badRows.first).toEqual([
      { file: join(dir, 'movies.csv'), line: 6, reason: 'item 20 appears again' },
      { file: join(dir, 'ratings.csv'), line: 9, reason: 'item 99 is not in the item file' },
      { file: join(dir, 'ratings.csv'), line: 10, reason: 'timestamp is not a number' },
    ]);
    expect(interactions).toBe(7);
  });

  it('fails on bad rows in strict mode, listing them', () => {
    expect(() => loadRecsDataset(config({ strict: true }))).toThrow(BadRowsError);
    expect(() => loadRecsDataset(config({ strict: true }))).toThrow(
      /3 bad rows \(strict mode\):\n {2}.*movies\.csv:6: item 20 appears again\n {2}.*ratings\.csv:9: item 99/,
    );
  });

  it('orders each user by time, ties in file order, and leaves the last two positives out', () => {
    const dataset = loadRecsDataset(config());
    const rows = (ids: string[]) => ids.map((id) => dataset.rowOf.get(id));
    const a = dataset.users.findIndex((u) => u.id === 'a');
    expect(Array.from(dataset.users[a].items)).toEqual(rows(['10', '30', '40', '20', '30']));
    expect(Array.from(dataset.users[a].positive)).toEqual([1, 0, 1, 1, 1]);
    const [split] = dataset.splits;
    expect(split.user).toBe(a);
    expect(Array.from(split.train)).toEqual(rows(['10', '40']));
    expect([split.validation, split.test]).toEqual(rows(['20', '30']));
    // Everything seen before the held-out item is left out of its ranking, the low rating included.
    expect(Array.from(split.excludeForValidation)).toEqual(rows(['10', '30', '40']));
    expect(Array.from(split.excludeForTest)).toEqual(rows(['10', '30', '40', '20']));
  });

  it('keeps users with fewer than three positives for training only', () => {
    const dataset = loadRecsDataset(config());
    expect(dataset.splits).toHaveLength(1);
    const b = dataset.users.findIndex((u) => u.id === 'b');
    expect(Array.from(dataset.train[b])).toEqual([dataset.rowOf.get('10'), dataset.rowOf.get('20')]);
  });

  it('applies the rating threshold, or counts every interaction with positiveRating null', () => {
    expect(loadRecsDataset(config({ positiveRating: 4.5 })).positives).toBe(4);
    expect(loadRecsDataset(config({ positiveRating: null })).positives).toBe(7);
  });

  it('reads an empty rating, or a file without a rating column, as implicit positives', () => {
    writeFileSync(
      join(dir, 'events.csv'),
      'userId,movieId,rating,timestamp\nv,10,,1\nv,20,1.0,2\nv,30,,3\nv,40,,4\n',
    );
    const withEvents = loadRecsDataset(config({ interactions: ['ratings.csv', 'events.csv'] }));
    expect(withEvents.interactions).toBe(11);
    expect(withEvents.positives).toBe(6 + 3);

    writeFileSync(join(dir, 'views.csv'), 'user,item,time\nu,10,1\nu,20,2\nu,30,3\n');
    const dataset = loadRecsDataset(
      config({
        interactions: ['views.csv'],
        interactionColumns: { user: 'user', item: 'item', rating: null, timestamp: 'time' },
      }),
    );
    expect(dataset.positives).toBe(3);
    expect(dataset.splits).toHaveLength(1);
  });

  it('fingerprints the data: the same files and settings give the same fingerprint, another threshold another', () => {
    const base = loadRecsDataset(config()).fingerprint;
    expect(loadRecsDataset(config()).fingerprint).toBe(base);
    expect(loadRecsDataset(config({ positiveRating: 3 })).fingerprint).not.toBe(base);
  });

  it('names a missing file and a missing column', () => {
    expect(() => loadRecsDataset(config({ items: 'nope.csv' }))).toThrow(/nope\.csv does not exist/);
    expect(() => loadRecsDataset(config({ itemColumns: { title: 'name' } }))).toThrow(
      /movies\.csv:1: the header has no "name" column \(it has movieId, title, genres\)/,
    );
  });
});
