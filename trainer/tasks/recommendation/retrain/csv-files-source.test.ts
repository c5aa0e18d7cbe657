import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeSnapshot } from '../../../retrain/snapshot.ts';
import { csvCopies, csvFilesSource } from './csv-files-source.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'csv-source-'));
  writeFileSync(
    join(dir, 'movies.csv'),
    'movieId,title,genres\n1,"Ghost, The (1990)",Horror\n2,Orbit (1991),Sci-Fi\n',
  );
  writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,5,10\n1,2,4,11\n');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const data = () => ({ interactions: [join(dir, 'ratings.csv')], items: join(dir, 'movies.csv') });

describe('the CSV files source', () => {
  it('copies the files into the snapshot, hashes the copies and counts the interaction rows', async () => {
    const snapshot = await takeSnapshot([csvFilesSource(data())], join(dir, 'a'));
    const copies = csvCopies(data(), join(dir, 'a'));
    expect(readFileSync(copies.items, 'utf8')).toBe(readFileSync(join(dir, 'movies.csv'), 'utf8'));
    expect(readFileSync(copies.interactions[0], 'utf8')).toBe(readFileSync(join(dir, 'ratings.csv'), 'utf8'));
    expect(snapshot.parts[0]).toMatchObject({
      source: 'csv-files',
      records: 2,
      newRecords: null,
      cursor: null,
    });
    expect(snapshot.parts[0].files.map((f) => f.name)).toEqual(['items.csv', 'interactions-1.csv']);
  });

  it('keeps what it copied when the original changes, and the next snapshot sees the change', async () => {
    const first = await takeSnapshot([csvFilesSource(data())], join(dir, 'a'));
    const copied = readFileSync(csvCopies(data(), join(dir, 'a')).interactions[0], 'utf8');
    appendFileSync(join(dir, 'ratings.csv'), '2,1,3,12\n');
    expect(readFileSync(csvCopies(data(), join(dir, 'a')).interactions[0], 'utf8')).toBe(copied);
    const second = await takeSnapshot([csvFilesSource(data())], join(dir, 'b'), first);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(second.parts[0]).toMatchObject({ records: 3, newRecords: 1 });
  });
});
