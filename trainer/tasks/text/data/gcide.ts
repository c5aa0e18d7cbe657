import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * GCIDE, the GNU Collaborative International Dictionary of English (GPL-2+; Webster's 1913 revised, with
 * WordNet 1.5 senses), as Debian's `dict-gcide` installs it for dictd: `gcide.dict.dz` (dictzip, which
 * gunzip reads) holds entries like
 *
 *   Tiger \Ti"ger\, n. [OE. tigre, ...]
 *      1. A very large and powerful carnivore ({Felis tigris})
 *         native of Southern Asia ... [1913 Webster]
 *
 *      {Clouded tiger} (Zool.), a handsome striped and spotted carnivore ...
 *
 * An entry starts at a line that begins in column 0 with the headword and its pronunciation between
 * backslashes; its senses are the numbered paragraphs, its phrases the paragraphs that open with
 * `{phrase}`. Source markers (`[1913 Webster]`), notes, synonym lists and quotations are skipped.
 */
export const DEFAULT_GCIDE_DIR = '/usr/share/dictd';

/** A headword (or a phrase defined under one) with its definitions, each cut to its first sentence. */
export interface DictionaryEntry {
  headword: string;
  definitions: string[];
}

export function gcideFile(dir = DEFAULT_GCIDE_DIR): string {
  return join(dir, 'gcide.dict.dz');
}

/** The dictionary's entries, or undefined when the Debian package is not installed. */
export function loadGcide(dir = DEFAULT_GCIDE_DIR): DictionaryEntry[] | undefined {
  const file = gcideFile(dir);
  if (!existsSync(file)) return undefined;
  return parseGcide(gunzipSync(readFileSync(file)).toString('utf8'));
}

/** sha256 of the installed dictionary file: a new package version is new training data. */
export function gcideFingerprint(dir = DEFAULT_GCIDE_DIR): string {
  return createHash('sha256')
    .update(readFileSync(gcideFile(dir)))
    .digest('hex');
}

const HEADER = /^([^\s\\][^\\\n]*?) \\[^\\\n]*\\/;
const SENSE = /^ {3}\d+\. /;
const PHRASE = /^ {3}\{([^}]+)\}/;
const MARKER = /^\s*\[[^\]]*\]\s*$/;

/** Entries in file order; one headword may have several (noun, verb, ...), merged by the caller if needed. */
export function parseGcide(text: string): DictionaryEntry[] {
  const entries: DictionaryEntry[] = [];
  let current: DictionaryEntry | undefined;
  for (const paragraph of paragraphs(text)) {
    const header = HEADER.exec(paragraph[0]);
    if (header) {
      current = { headword: cleanHeadword(header[1]), definitions: [] };
      if (!current.headword.startsWith('00-')) entries.push(current);
      // The first numbered sense often shares the header's paragraph; an entry of one sense has no number.
      const sense = paragraph.findIndex((line) => SENSE.test(line));
      const start = sense > 0 ? sense : afterEtymology(paragraph);
      if (start > 0)
        addDefinition(
          current,
          paragraph
            .slice(start)
            .join(' ')
            .replace(/^\s*\d+\.\s*/, ''),
        );
      continue;
    }
    if (!current) continue;
    if (SENSE.test(paragraph[0])) {
      addDefinition(current, paragraph.join(' ').replace(/^\s*\d+\.\s*/, ''));
      continue;
    }
    const phrase = PHRASE.exec(paragraph[0]);
    if (phrase) {
      const body = paragraph.join(' ').replace(PHRASE, '');
      const definition = body.replace(/^\s*(\([^)]*\)\s*)?[,.]\s*/, '');
      if (definition !== body) {
        const entry = { headword: cleanHeadword(phrase[1]), definitions: [] as string[] };
        addDefinition(entry, definition);
        if (entry.definitions.length > 0) entries.push(entry);
      }
    }
  }
  return entries.filter((entry) => entry.definitions.length > 0);
}

/** The first line after the header's etymology, whose brackets may run over several lines (0: none). */
function afterEtymology(paragraph: readonly string[]): number {
  let depth = 0;
  for (let i = 0; i < paragraph.length; i++) {
    if (i > 0 && depth <= 0) return i;
    for (const char of paragraph[i]) depth += char === '[' ? 1 : char === ']' ? -1 : 0;
  }
  return 0;
}

/** Blank-line separated paragraphs, without source-marker lines and quotation lines (indented 12+). */
function paragraphs(text: string): string[][] {
  const result: string[][] = [];
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (lines.length > 0) result.push(lines);
      lines = [];
    } else if (!MARKER.test(line) && !/^ {12}/.test(line)) {
      lines.push(line);
    }
  }
  if (lines.length > 0) result.push(lines);
  return result;
}

function addDefinition(entry: DictionaryEntry, raw: string) {
  const definition = firstSentence(cleanText(raw));
  // Cross-references ("See Dog.") and one-word glosses teach little; definitions of 3+ words do.
  if (definition.split(' ').length >= 3 && !/^(see|same as)\b/i.test(definition)) {
    entry.definitions.push(definition);
  }
}

/** Drops domain labels like `(Zool.)`, braces, markup like `[=e]` and trailing citations; one space. */
function cleanText(text: string): string {
  return text
    .replace(/^\s*(\([A-Z][^)]*\.\)\s*)+/, '')
    .replace(/[{}]/g, '')
    .replace(/\[[a-z^`'"=]+\]/g, '')
    .replace(/\s+--\s*[A-Z][^;]*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The definition up to its first full stop that ends a sentence (abbreviations like `esp.` stay). */
function firstSentence(text: string): string {
  const end = /[a-z)]{3}\.(\s+[A-Z]|$)/.exec(text);
  const sentence = end ? text.slice(0, end.index + 4) : text;
  return sentence.replace(/[.;,:]$/, '').trim();
}

function cleanHeadword(word: string): string {
  return word.replace(/["`*]/g, '').replace(/\s+/g, ' ').trim();
}
