import { describe, expect, it } from 'vitest';
import { readCsvRecords } from './csv.ts';

const records = (text: string) => [...readCsvRecords(text)];

describe('readCsvRecords', () => {
  it('splits fields on commas and numbers records by the line they start on', () => {
    expect(records('a,b,c\n1,2,3\n')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '2', '3'] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, and CRLF line ends', () => {
    const text = 'id,title\r\n1,"Ghost, The (1990)"\r\n2,"Say ""hi"""\n3,"two\nlines"\n4,last';
    expect(records(text)).toEqual([
      { line: 1, fields: ['id', 'title'] },
      { line: 2, fields: ['1', 'Ghost, The (1990)'] },
      { line: 3, fields: ['2', 'Say "hi"'] },
      { line: 4, fields: ['3', 'two\nlines'] },
      { line: 6, fields: ['4', 'last'] },
    ]);
  });

  it('keeps empty fields and skips blank lines', () => {
    expect(records('a,,c\n\n,\n')).toEqual([
      { line: 1, fields: ['a', '', 'c'] },
      { line: 3, fields: ['', ''] },
    ]);
  });

  it('turns a record with text after a closing quote into an error and goes on with the next', () => {
    expect(records('1,"a"b,2\n3,4\n')).toEqual([
      { line: 1, error: 'text after a closing quote' },
      { line: 2, fields: ['3', '4'] },
    ]);
  });

  it('reports a quote that is never closed at the line where its record starts', () => {
    expect(records('1,2\n3,"open\n4,5\n')).toEqual([
      { line: 1, fields: ['1', '2'] },
      { line: 2, error: 'a quoted field is never closed' },
    ]);
  });
});
