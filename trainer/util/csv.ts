/** One CSV record with the 1-based line it starts on, or the reason it could not be read. */
export type CsvRecord = { line: number; fields: string[] } | { line: number; error: string };

/**
 * Splits RFC 4180 text into records: fields separated by commas, optionally double-quoted, `""` inside
 * quotes for a quote, line breaks allowed inside quotes. A record whose quotes are malformed (text after a
 * closing quote, a quote never closed) comes back with an `error` instead of fields, so one bad line
 * costs one record, not the file. Blank lines are skipped.
 */
export function* readCsvRecords(text: string): Generator<CsvRecord> {
  let line = 1;
  let at = 0;
  while (at < text.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let error: string | undefined;
    let quoted = false;
    let afterQuote = false;
    for (; at < text.length; at++) {
      const char = text[at];
      if (quoted) {
        if (char === '"' && text[at + 1] === '"') {
          field += '"';
          at++;
        } else if (char === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (char === '\n') line++;
          field += char;
        }
      } else if (char === ',') {
        fields.push(field);
        field = '';
        afterQuote = false;
      } else if (char === '\n') {
        break;
      } else if (char === '\r' && text[at + 1] === '\n') {
        // CRLF: the \n ends the record.
      } else if (afterQuote) {
        error ??= 'text after a closing quote';
      } else if (char === '"' && field === '') {
        quoted = true;
      } else {
        field += char;
      }
    }
    at++; // past the \n
    line++;
    if (quoted) {
      yield { line: start, error: 'a quoted field is never closed' };
      return;
    }
    fields.push(field);
    if (error) yield { line: start, error };
    else if (fields.length > 1 || fields[0] !== '') yield { line: start, fields };
  }
}
