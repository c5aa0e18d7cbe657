import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SnapshotSchema, takeSnapshot } from '../../trainer/retrain/snapshot.ts';
import { csvFilesSource } from '../../trainer/tasks/recommendation/retrain/csv-files-source.ts';
import { loadWordNet } from '../../trainer/tasks/text/data/wordnet.ts';
import { wordnetSource } from '../../trainer/tasks/text/data/wordnet-source.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snapshot-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of two tiny WordNet data files, so a test can change the data. */
function tinyDict(extraNounLine = ''): string {
  const dict = join(dir, `dict-${Math.random().toString(16).slice(2)}`);
  mkdirSync(dict);
  const header = '  1 This software and database is being provided to you, the LICENSEE, by\n';
  const dog = '02086723 05 n 01 dog 0 000 | a domesticated carnivore; "the dog barked"\n';
  writeFileSync(join(dict, 'data.noun'), header + dog + extraNounLine);
  writeFileSync(join(dict, 'data.verb'), header);
  writeFileSync(join(dict, 'data.adj'), header);
  writeFileSync(join(dict, 'data.adv'), header);
  return dict;
}

describe('takeSnapshot', () => {
  it('fingerprints the WordNet package by content and counts its synsets', async () => {
    const snapshot = await takeSnapshot([wordnetSource()], join(dir, 'snapshot'));
    expect(snapshot.parts).toHaveLength(1);
    const [part] = snapshot.parts;
    expect(part.records).toBe(loadWordNet().length);
    expect(part.files.map((f) => f.name)).toEqual(['data.noun', 'data.verb', 'data.adj', 'data.adv']);
    expect(part.newRecords).toBeNull();
    const written = SnapshotSchema.parse(
      JSON.parse(readFileSync(join(dir, 'snapshot', 'snapshot.json'), 'utf8')),
    );
    expect(written).toEqual(snapshot);
  });

  it('gives equal data the same fingerprint wherever it lives, and new data a new one', async () => {
    const a = await takeSnapshot([wordnetSource(tinyDict())], join(dir, 'a'));
    const b = await takeSnapshot([wordnetSource(tinyDict())], join(dir, 'b'));
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.parts[0].description).not.toBe(a.parts[0].description);

    const cat = '02121620 05 n 01 cat 0 000 | a small domesticated feline\n';
    const c = await takeSnapshot([wordnetSource(tinyDict(cat))], join(dir, 'c'), a);
    expect(c.fingerprint).not.toBe(a.fingerprint);
    expect(c.parts[0]).toMatchObject({ records: 2, newRecords: 1 });
  });

  it('takes every source in order, each part in the fingerprint', async () => {
    const ratings = join(dir, 'ratings.csv');
    writeFileSync(join(dir, 'movies.csv'), 'movieId,title,genres\n1,Orbit (1991),Sci-Fi\n');
    writeFileSync(ratings, 'userId,movieId,rating,timestamp\n1,1,5,10\n');
    const data = { interactions: [ratings], items: join(dir, 'movies.csv') };
    const dict = tinyDict();
    const alone = await takeSnapshot([wordnetSource(dict)], join(dir, 'alone'));
    const both = await takeSnapshot([wordnetSource(dict), csvFilesSource(data)], join(dir, 'both'));
    expect(both.parts.map((p) => p.source)).toEqual(['wordnet', 'csv-files']);
    expect(both.fingerprint).not.toBe(alone.fingerprint);
    expect(readFileSync(join(dir, 'both', 'interactions-1.csv'), 'utf8')).toContain('1,1,5,10');
  });
});
