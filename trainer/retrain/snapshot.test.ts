import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadWordNet } from '../data/wordnet.ts';
import { type DataSource, SnapshotSchema, takeSnapshot } from './snapshot.ts';
import { wordnetSource } from './wordnet-source.ts';

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

  it('takes every source in order, and another source plugs in beside WordNet', async () => {
    const events: DataSource = {
      name: 'events',
      async freeze(into, previous) {
        const content = '{"query":"dog","clicked":"n02086723"}\n';
        writeFileSync(join(into, 'events.jsonl'), content);
        return {
          source: 'events',
          description: 'events recorded by the edge',
          files: [{ name: 'events.jsonl', sha256: 'e'.repeat(64), bytes: content.length }],
          records: 1,
          newRecords: previous ? 1 - previous.records : 1,
          cursor: '1',
        };
      },
    };
    const dict = tinyDict();
    const alone = await takeSnapshot([wordnetSource(dict)], join(dir, 'alone'));
    const both = await takeSnapshot([wordnetSource(dict), events], join(dir, 'both'));
    expect(both.parts.map((p) => p.source)).toEqual(['wordnet', 'events']);
    expect(both.fingerprint).not.toBe(alone.fingerprint);
    expect(readFileSync(join(dir, 'both', 'events.jsonl'), 'utf8')).toContain('n02086723');
  });
});
