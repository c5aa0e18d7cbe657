import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { readUtf8File } from '../../../util/utf8-text.ts';
import { lineError, MissingDataError, type ScoredPair, ScoredPairSchema } from './scored-pair.ts';

/**
 * Your own pairs, in either of two layouts:
 * - JSONL: one object per line, `{"a": "...", "b": "...", "score": 3.5}` (score graded or 0/1);
 * - CSV (RFC 4180 quoting, UTF-8): a header naming the columns `a`, `b` and `score` in any order,
 *   other columns ignored.
 */
export function parseJsonlPairs(text: string, source: string): ScoredPair[] {
  const pairs: ScoredPair[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw lineError(source, index + 1, 'not valid JSON');
    }
    const parsed = ScoredPairSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`);
      throw lineError(source, index + 1, problems.join('; '));
    }
    pairs.push(parsed.data);
  });
  return pairs;
}

export function parseCsvPairs(text: string, source: string): ScoredPair[] {
  const [header, ...rows] = parseCsv(text, source);
  if (!header) return [];
  const column = (name: string) => {
    const at = header.indexOf(name);
    if (at < 0)
      throw lineError(source, 1, `the header has no "${name}" column (it has ${header.join(', ')})`);
    return at;
  };
  const [a, b, score] = [column('a'), column('b'), column('score')];
  return rows.map(({ fields, line }) => {
    const parsed = ScoredPairSchema.safeParse({ a: fields[a], b: fields[b], score: Number(fields[score]) });
    if (!parsed.success) throw lineError(source, line, `needs text in a and b and a number in score`);
    return parsed.data;
  });
}

/** Reads a `.jsonl` or `.csv` pair file, chosen by extension. */
export function loadPairFile(path: string): ScoredPair[] {
  if (!existsSync(path)) throw new MissingDataError(path, 'the pair file given in the config does not exist');
  const text = readUtf8File(path);
  switch (extname(path).toLowerCase()) {
    case '.jsonl':
      return parseJsonlPairs(text, path);
    case '.csv':
      return parseCsvPairs(text, path);
    default:
      throw new Error(`${path}: pair files are .jsonl or .csv`);
  }
}

interface CsvRow {
  fields: string[];
  /** 1-based line where the row starts. */
  line: number;
}

/** RFC 4180: fields separated by commas, optionally double-quoted, "" inside quotes for a quote. */
function parseCsv(text: string, source: string): [string[] | undefined, ...CsvRow[]] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '') rows.push({ fields, line: rowLine });
    fields = [];
    field = '';
    rowLine = line;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n') {
      line++;
      endRow();
    } else if (char !== '\r') {
      field += char;
    }
  }
  if (quoted) throw lineError(source, rowLine, 'a quoted field is never closed');
  if (field !== '' || fields.length > 0) endRow();
  const [header, ...body] = rows;
  return [header?.fields, ...body];
}
