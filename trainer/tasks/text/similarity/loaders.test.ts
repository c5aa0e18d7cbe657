import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSimilarityData } from './benchmarks.ts';
import { requireDatasetDir } from './datasets.ts';
import { loadPairFile, parseCsvPairs, parseJsonlPairs } from './pair-files.ts';
import { parsePaws } from './paws.ts';
import { MissingDataError } from './scored-pair.ts';
import { splitKeepingSharedTexts } from './split.ts';
import { parseStsBenchmark } from './sts-benchmark.ts';

// Synthetic rows in each layout: the real STS sentences may not be committed.
const STS_ROWS = [
  'main-captions\tMSRvid\t2012test\t0001\t5.000\tA cat sits on a mat.\tA cat is sitting on the mat.',
  'main-news\theadlines\t2013\t0002\t0.4\tShares rise "sharply" today\tRain expected later\tlicense\textra',
  '',
].join('\n');

const root = mkdtempSync(join(tmpdir(), 'text-sim-loaders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('STS Benchmark loader', () => {
  it('reads score and both sentences, splitting on tabs only and ignoring extra columns', () => {
    expect(parseStsBenchmark(STS_ROWS, 'sts.csv')).toEqual([
      { a: 'A cat sits on a mat.', b: 'A cat is sitting on the mat.', score: 5 },
      { a: 'Shares rise "sharply" today', b: 'Rain expected later', score: 0.4 },
    ]);
  });

  it('names the file and line of a bad row', () => {
    expect(() => parseStsBenchmark('g\tf\ty\t1\t7.5\ta\tb', 'x.csv')).toThrow(/x\.csv:1: score "7.5"/);
    expect(() => parseStsBenchmark('ok\nshort\trow', 'x.csv')).toThrow(/x\.csv:1: expected 7/);
  });
});

describe('PAWS loader', () => {
  it('skips the header of the released files and reads labels as 0/1 scores', () => {
    const text = 'id\tsentence1\tsentence2\tlabel\n1\tA b c.\tC b a.\t0\n2\tx y\ty x\t1\n';
    expect(parsePaws(text, 'dev.tsv')).toEqual([
      { a: 'A b c.', b: 'C b a.', score: 0 },
      { a: 'x y', b: 'y x', score: 1 },
    ]);
  });

  it('rejects a label other than 0 or 1', () => {
    expect(() => parsePaws('1\ta\tb\tyes', 'dev.tsv')).toThrow(/dev\.tsv:1: label "yes"/);
  });
});

describe('generic pair files', () => {
  it('reads JSONL objects and reports the line of a bad one', () => {
    expect(
      parseJsonlPairs('{"a":"x","b":"y","score":1}\n\n{"a":"p","b":"q","score":0.5}\n', 'p.jsonl'),
    ).toEqual([
      { a: 'x', b: 'y', score: 1 },
      { a: 'p', b: 'q', score: 0.5 },
    ]);
    expect(() => parseJsonlPairs('{"a":"x","b":"y"}', 'p.jsonl')).toThrow(/p\.jsonl:1: score/);
    expect(() => parseJsonlPairs('{"a":', 'p.jsonl')).toThrow(/p\.jsonl:1: not valid JSON/);
  });

  it('reads CSV with quoted commas, quotes and newlines, columns in any order', () => {
    const csv = 'score,id,b,a\r\n4.5,1,"he said ""hi""","one, two"\n0,2,"multi\nline",plain\n';
    expect(parseCsvPairs(csv, 'p.csv')).toEqual([
      { a: 'one, two', b: 'he said "hi"', score: 4.5 },
      { a: 'plain', b: 'multi\nline', score: 0 },
    ]);
    expect(() => parseCsvPairs('a,b\nx,y\n', 'p.csv')).toThrow(/no "score" column/);
    expect(() => parseCsvPairs('a,b,score\nx,y,high\n', 'p.csv')).toThrow(/p\.csv:2/);
  });

  it('loads by extension and says when the file is missing', () => {
    const path = join(root, 'pairs.csv');
    writeFileSync(path, 'a,b,score\nx,y,1\n');
    expect(loadPairFile(path)).toEqual([{ a: 'x', b: 'y', score: 1 }]);
    expect(() => loadPairFile(join(root, 'none.jsonl'))).toThrow(MissingDataError);
  });
});

describe('datasets folder', () => {
  it('names the missing folder and the fix', () => {
    expect(() => requireDatasetDir(root, 'stsbenchmark')).toThrow(
      /stsbenchmark not found: .*DML_EDGE_DATASETS/,
    );
  });

  it('loads nothing, and says why, from a folder without the benchmarks', () => {
    const data = loadSimilarityData(root);
    expect(data.sts).toBeUndefined();
    expect(data.paws).toBeUndefined();
    expect(data.missing).toHaveLength(2);
  });
});

describe('splitKeepingSharedTexts', () => {
  it('keeps pairs that share a sentence on one side and is seeded', () => {
    const pairs = Array.from({ length: 200 }, (_, i) => ({
      a: `s${i}`,
      b: `s${i % 50 === 0 ? 0 : i + 1000}`,
      score: 1,
    }));
    const { train, heldOut } = splitKeepingSharedTexts(pairs, 0.3, 5);
    expect(train.length + heldOut.length).toBe(200);
    expect(heldOut.length).toBeGreaterThan(20);
    const trainTexts = new Set(train.flatMap((p) => [p.a, p.b]));
    expect(heldOut.some((p) => trainTexts.has(p.a) || trainTexts.has(p.b))).toBe(false);
    expect(splitKeepingSharedTexts(pairs, 0.3, 5)).toEqual({ train, heldOut });
  });
});
