import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../../shared/random.ts';
import { dictionaryWords, sampleDictionaryEpoch } from './dictionary-pairs.ts';
import { DEFAULT_GCIDE_DIR, gcideFile, loadGcide, parseGcide } from './gcide.ts';

// A made-up excerpt in the layout of Debian's dict-gcide: a header with an etymology over two lines and
// one unnumbered sense, numbered senses (the first in the header's paragraph), a quotation, synonyms, a
// note, phrases with and without a definition, and a cross-reference.
const EXCERPT = `00-database-short
   A made-up excerpt in the layout of dict-gcide

Hound \\Hound\\, n. [AS. hund; akin to many
   older words.] (Zool.)
   A hunting dog that tracks its quarry by scent.
   [1913 Webster]

Growl \\Growl\\, v. i. [imp. & p. p. {Growled}.]
   1. To utter a deep guttural sound, as an angry dog; to snarl.
      [1913 Webster]

            The dog growled at the stranger.    --Anon.
      [1913 Webster]

   2. (Fig.) To grumble; to complain in a surly way. Often heard.
      [1913 Webster]

   Syn: snarl, grumble
        [WordNet 1.5]

   Note: A note that is no definition at all.
         [1913 Webster]

   {Growl box}, a small box that growls when turned over.

   {Growl box}.

growl \\growl\\ n.
   a deep angry sound made by an animal.

Cur \\Cur\\, n.
   See {Dog}.
   [1913 Webster]
`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('GCIDE reader', () => {
  it('reads senses, one-sense entries and phrases, and skips markers, quotations, notes and cross-references', () => {
    expect(parseGcide(EXCERPT)).toEqual([
      { headword: 'Hound', definitions: ['A hunting dog that tracks its quarry by scent'] },
      {
        headword: 'Growl',
        definitions: [
          'To utter a deep guttural sound, as an angry dog; to snarl',
          'To grumble; to complain in a surly way',
        ],
      },
      { headword: 'Growl box', definitions: ['a small box that growls when turned over'] },
      { headword: 'growl', definitions: ['a deep angry sound made by an animal'] },
    ]);
  });

  it('reads the dictzip file (gzip) and says undefined when the package is not installed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcide-'));
    dirs.push(dir);
    expect(loadGcide(dir)).toBeUndefined();
    writeFileSync(gcideFile(dir), gzipSync(EXCERPT));
    expect(loadGcide(dir)?.map((entry) => entry.headword)).toEqual(['Hound', 'Growl', 'Growl box', 'growl']);
  });

  it('merges a headword across parts of speech and draws one (definition, headword) pair per word', () => {
    const words = dictionaryWords(parseGcide(EXCERPT));
    expect(words.map((w) => [w.headword, w.definitions.length])).toEqual([
      ['hound', 1],
      ['growl', 3],
      ['growl box', 1],
    ]);
    const epoch = sampleDictionaryEpoch(words, mulberry32(1));
    expect(epoch.map((p) => p.positive).sort()).toEqual(['growl', 'growl box', 'hound']);
    for (const pair of epoch) {
      expect(words.find((w) => w.headword === pair.positive)?.definitions).toContain(pair.anchor);
    }
  });

  it.skipIf(!existsSync(gcideFile(DEFAULT_GCIDE_DIR)))('reads the installed dictionary (dict-gcide)', () => {
    const words = dictionaryWords(loadGcide()!);
    expect(words.length).toBeGreaterThan(100_000);
    expect(words.find((w) => w.headword === 'dog')?.definitions[0]).toMatch(/domestic dog/);
  });
});
