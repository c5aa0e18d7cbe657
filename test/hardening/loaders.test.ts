import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { encode as encodePng } from 'fast-png';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx } from '../../trainer/tasks/image/idx.ts';
import { loadIdxDataset } from '../../trainer/tasks/image/idx-dataset.ts';
import { loadImageFolderDataset } from '../../trainer/tasks/image/image-folder.ts';
import { RecsConfigSchema } from '../../trainer/tasks/recommendation/config.ts';
import { loadRecsDataset } from '../../trainer/tasks/recommendation/dataset.ts';
import { loadPairFile } from '../../trainer/tasks/text/similarity/pair-files.ts';
import { loadPaws } from '../../trainer/tasks/text/similarity/paws.ts';
import { loadStsBenchmark } from '../../trainer/tasks/text/similarity/sts-benchmark.ts';
import { runCli } from '../retrain/workspace.ts';

/**
 * The trainer's loaders under generated corrupt input: IDX files with broken headers, truncated or
 * damaged gzip, CSVs with missing fields and stray quotes, files in other encodings than UTF-8, broken
 * images. Each load either succeeds or throws an Error that names the file (and the line, for text),
 * which the CLI prints as one line without a stack trace (checked on the real command at the end).
 */
const SEED = 1_128;
const root = mkdtempSync(join(tmpdir(), 'dml-loaders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;

/** A fresh empty folder under the test folder. */
function freshDir(): string {
  const dir = join(root, String(files++));
  mkdirSync(dir, { recursive: true });
  return dir;
}

const fresh = (name: string) => join(freshDir(), name);

type Outcome = 'loaded' | 'refused';

/** Runs a load; a failure must be an Error whose message names `file` (and `file:<line>` when asked). */
function expectNamedFailure(load: () => unknown, file: string, withLine: boolean): Outcome {
  let failure: unknown;
  try {
    load();
    return 'loaded';
  } catch (error) {
    failure = error;
  }
  expect(failure).toBeInstanceOf(Error);
  const message = (failure as Error).message;
  expect(message, message).toContain(file);
  if (withLine) expect(message, message).toMatch(new RegExp(`${escapeRegExp(file)}:\\d+`));
  return 'refused';
}

/** Counts outcomes, so a test can check that its inputs reached both (a loader that refuses all proves little). */
function tally() {
  const counts: Record<Outcome, number> = { loaded: 0, refused: 0 };
  return {
    add: (outcome: Outcome) => void counts[outcome]++,
    expectBoth: () => {
      expect(counts.loaded, JSON.stringify(counts)).toBeGreaterThan(0);
      expect(counts.refused, JSON.stringify(counts)).toBeGreaterThan(0);
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Overwrites a few bytes, appends some, maybe cuts the file short. */
function damaged(file: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      file,
      fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 6 }),
      fc.option(fc.nat()),
      fc.uint8Array({ maxLength: 8 }),
    )
    .map(([bytes, writes, cut, tail]) => {
      const out = Uint8Array.from([...bytes, ...tail]);
      for (const [at, value] of writes) if (out.length > 0) out[at % out.length] = value;
      return cut === null || out.length === 0 ? out : out.subarray(0, cut % out.length);
    });
}

const idxArray = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 }))
  .map(([rank, side]) => {
    const dims = Array(rank).fill(side);
    return encodeIdx({ dims, data: new Uint8Array(side ** rank).fill(7) });
  });

describe('IDX files', () => {
  it('with damaged headers and truncated or corrupt gzip: parsed, or refused naming the file', () => {
    const file = fc.oneof(
      damaged(idxArray),
      damaged(idxArray.map((bytes) => new Uint8Array(gzipSync(bytes)))),
      fc.uint8Array({ maxLength: 64 }),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Uint8Array.from([0x1f, 0x8b, ...bytes])),
    );
    const outcomes = tally();
    fc.assert(
      fc.property(file, (bytes) =>
        outcomes.add(
          expectNamedFailure(() => parseIdx(bytes, '/data/x-idx3-ubyte'), '/data/x-idx3-ubyte', false),
        ),
      ),
      { numRuns: 1000, seed: SEED },
    );
    outcomes.expectBoth();
  });

  it('in a dataset folder: the one damaged file is named', () => {
    const healthy = (count: number) => ({
      images: gzipSync(encodeIdx({ dims: [count, 2, 2], data: new Uint8Array(count * 4) })),
      labels: gzipSync(encodeIdx({ dims: [count], data: new Uint8Array(count).fill(1) })),
    });
    const which = fc.constantFrom('train-images', 'train-labels', 't10k-images', 't10k-labels');
    const outcomes = tally();
    fc.assert(
      fc.property(which, damaged(fc.constant(new Uint8Array(healthy(3).labels))), (broken, bytes) => {
        const dir = freshDir();
        for (const split of ['train', 't10k']) {
          const { images, labels } = healthy(3);
          writeFileSync(join(dir, `${split}-images-idx3-ubyte.gz`), images);
          writeFileSync(join(dir, `${split}-labels-idx1-ubyte.gz`), labels);
        }
        const path = join(dir, `${broken}-idx${broken.endsWith('images') ? 3 : 1}-ubyte.gz`);
        writeFileSync(path, bytes);
        outcomes.add(expectNamedFailure(() => loadIdxDataset(dir, ['a', 'b']), path, false));
      }),
      { numRuns: 100, seed: SEED },
    );
    outcomes.expectBoth();
  });
});

/** CSV text as people and programs get it wrong: missing and extra fields, stray quotes, odd line ends. */
const csvField = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 20 }).map(String), weight: 4 },
  fc.constantFrom('', '"', '""', '"a,b"', '"unclosed', 'x"y', '4.5', 'NaN', '1e999', '\uFEFF', ' 3 ', 'é'),
  fc.string({ maxLength: 6 }),
);
const csvRow = fc.array(csvField, { minLength: 0, maxLength: 6 }).map((fields) => fields.join(','));
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');

function csvText(header: string) {
  return fc
    .tuple(fc.array(fc.tuple(csvRow, lineEnd), { maxLength: 12 }), fc.boolean())
    .map(
      ([rows, withHeader]) =>
        (withHeader ? `${header}\n` : '') + rows.map(([row, end]) => row + end).join(''),
    );
}

/** UTF-8 bytes of the text, sometimes with a byte no UTF-8 text holds (Latin-1 é, a stray continuation). */
function encoded(text: fc.Arbitrary<string>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(text, fc.option(fc.tuple(fc.nat(), fc.constantFrom(0xe9, 0x80, 0xff, 0xc3))))
    .map(([value, bad]) => {
      const bytes = [...new TextEncoder().encode(value)];
      if (bad) bytes.splice(bad[0] % (bytes.length + 1), 0, bad[1]);
      return Uint8Array.from(bytes);
    });
}

describe('recommendation CSVs', () => {
  it('with missing fields, stray quotes and bad encodings: loaded with bad rows named, or refused naming file and line', () => {
    const items = encoded(csvText('movieId,title,genres'));
    const ratings = encoded(csvText('userId,movieId,rating,timestamp'));
    const outcomes = tally();
    fc.assert(
      fc.property(items, ratings, fc.boolean(), (itemBytes, ratingBytes, strict) => {
        const itemsFile = fresh('movies.csv');
        const ratingsFile = fresh('ratings.csv');
        writeFileSync(itemsFile, itemBytes);
        writeFileSync(ratingsFile, ratingBytes);
        const data = RecsConfigSchema.shape.data.parse({
          interactions: [ratingsFile],
          items: itemsFile,
          strict,
        });
        try {
          const dataset = loadRecsDataset(data);
          for (const row of dataset.badRows.first) {
            expect([itemsFile, ratingsFile]).toContain(row.file);
            expect(row.line).toBeGreaterThan(0);
          }
          outcomes.add('loaded');
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          const { message } = error as Error;
          expect(message, message).toMatch(
            new RegExp(`(${escapeRegExp(itemsFile)}|${escapeRegExp(ratingsFile)})(:\\d+| is empty)`),
          );
          outcomes.add('refused');
        }
      }),
      { numRuns: 500, seed: SEED },
    );
    outcomes.expectBoth();
  });
});

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('', '\t', '"', 'a\tb', '{"a":', '5.0'));

describe('text pair files', () => {
  it('JSONL and CSV pair files: loaded, or refused naming file and line', () => {
    const jsonl = fc
      .array(
        fc.oneof(
          fc
            .record({ a: text, b: text, score: fc.oneof(fc.double(), fc.string()) }, { requiredKeys: [] })
            .map((o) => JSON.stringify(o)),
          text,
        ),
        { maxLength: 8 },
      )
      .map((lines) => lines.join('\n'));
    const csv = csvText('a,b,score');
    const file = fc.oneof(
      encoded(jsonl).map((bytes) => ({ name: 'pairs.jsonl', bytes })),
      encoded(csv).map((bytes) => ({ name: 'pairs.csv', bytes })),
    );
    const outcomes = tally();
    fc.assert(
      fc.property(file, ({ name, bytes }) => {
        const path = fresh(name);
        writeFileSync(path, bytes);
        outcomes.add(expectNamedFailure(() => loadPairFile(path), path, true));
      }),
      { numRuns: 500, seed: SEED },
    );
    outcomes.expectBoth();
  });

  it('STS Benchmark and PAWS files: loaded, or refused naming file and line', () => {
    const tsvLine = fc.array(text, { maxLength: 9 }).map((fields) => fields.join('\t'));
    const tsv = encoded(fc.array(tsvLine, { maxLength: 8 }).map((lines) => lines.join('\n')));
    const outcomes = tally();
    fc.assert(
      fc.property(fc.constantFrom('sts', 'paws'), tsv, (kind, bytes) => {
        const datasets = freshDir();
        const dir = join(datasets, kind === 'sts' ? 'stsbenchmark' : 'paws-wiki');
        mkdirSync(dir, { recursive: true });
        const path = join(dir, kind === 'sts' ? 'sts-dev.csv' : 'dev.tsv');
        writeFileSync(path, bytes);
        outcomes.add(
          expectNamedFailure(
            () => (kind === 'sts' ? loadStsBenchmark(datasets, 'dev') : loadPaws(datasets)),
            path,
            true,
          ),
        );
      }),
      { numRuns: 300, seed: SEED },
    );
    outcomes.expectBoth();
  });
});

describe('files that are not UTF-8', () => {
  /** Three lines, the third holding Latin-1 é: the loaders must refuse it there, not read U+FFFD. */
  const write = (path: string, first: string, second: string) => {
    writeFileSync(
      path,
      Buffer.concat([Buffer.from(`${first}\n${second}\n`), Buffer.from('caf\xe9', 'latin1')]),
    );
    return path;
  };
  const refusedAtLine3 = (load: () => unknown, path: string) =>
    expect(load).toThrow(`${path}:3: not valid UTF-8 (save the file as UTF-8)`);

  it('are refused by every text loader, naming the file and the line of the first bad byte', () => {
    const pairs = write(fresh('pairs.jsonl'), '{"a":"x","b":"y","score":1}', '{"a":"p","b":"q","score":0}');
    refusedAtLine3(() => loadPairFile(pairs), pairs);
    const csvPairs = write(fresh('pairs.csv'), 'a,b,score', 'x,y,1');
    refusedAtLine3(() => loadPairFile(csvPairs), csvPairs);
    const datasets = freshDir();
    mkdirSync(join(datasets, 'stsbenchmark'));
    mkdirSync(join(datasets, 'paws-wiki'));
    const sts = write(
      join(datasets, 'stsbenchmark', 'sts-dev.csv'),
      'g\tf\ty\t1\t5\ta\tb',
      'g\tf\ty\t2\t1\tc\td',
    );
    refusedAtLine3(() => loadStsBenchmark(datasets, 'dev'), sts);
    const paws = write(
      join(datasets, 'paws-wiki', 'dev.tsv'),
      'id\tsentence1\tsentence2\tlabel',
      '1\ta\tb\t0',
    );
    refusedAtLine3(() => loadPaws(datasets), paws);
    const items = write(fresh('movies.csv'), 'movieId,title,genres', '1,A (1990),Comedy');
    const ratings = write(fresh('ratings.csv'), 'userId,movieId,rating,timestamp', '1,1,5,1');
    const data = RecsConfigSchema.shape.data.parse({ interactions: [ratings], items });
    refusedAtLine3(() => loadRecsDataset(data), items);
  });
});

describe('image folders', () => {
  it('with truncated, damaged and fake images: loaded, or refused naming the image', () => {
    const png = encodePng({ width: 3, height: 2, channels: 1, depth: 8, data: new Uint8Array(6).fill(90) });
    const outcomes = tally();
    fc.assert(
      fc.property(damaged(fc.constant(png)), fc.constantFrom('png', 'jpg'), (bytes, extension) => {
        const dir = freshDir();
        for (const split of ['train', 'test']) {
          for (const name of ['cat', 'dog']) {
            mkdirSync(join(dir, split, name), { recursive: true });
            writeFileSync(join(dir, split, name, 'good.png'), png);
          }
        }
        const path = join(dir, 'train', 'dog', `bad.${extension}`);
        writeFileSync(path, bytes);
        outcomes.add(
          expectNamedFailure(() => loadImageFolderDataset(dir, { height: 4, width: 4 }), path, false),
        );
      }),
      { numRuns: 150, seed: SEED },
    );
    outcomes.expectBoth();
  });
});

describe('the command line', () => {
  it('prints one line naming the file and line, no stack trace, and exits 1', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'movies.csv'), 'movieId,title,genres\n1,Caf\xe9 (1990),Comedy\n', 'latin1');
    writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating,timestamp\n1,1,5,1\n');
    const fixture = JSON.parse(readFileSync(new URL('../fixtures/recs/tiny.json', import.meta.url), 'utf8'));
    const config = {
      ...fixture,
      data: { ...fixture.data, interactions: ['ratings.csv'], items: 'movies.csv' },
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const run = await runCli(['train', '--config', join(dir, 'config.json'), '--runs', join(dir, 'runs')]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const [message, blank, hint] = run.stderr.trim().split('\n').slice(-3);
    expect(message).toBe(`dml-edge: ${join(dir, 'movies.csv')}:2: not valid UTF-8 (save the file as UTF-8)`);
    expect(blank).toBe('');
    expect(hint).toMatch(
      /^the run is kept; continue it with: dml-edge pipeline --run tiny-recs-\S+ --runs \S+$/,
    );
  }, 120_000);
});
