import { readFileSync } from 'node:fs';
import { readCsvRecords } from '../util/csv.ts';
import type { IndexItem } from './build-index.ts';

/**
 * A labelled text collection from a CSV file with a header naming `text` and `label` columns (RFC 4180
 * quoting; other columns are ignored): one item per row, id `row-<line>`, metadata {label}. Any bad row
 * stops the build with its file and line: a classifier built on silently dropped rows would mislead.
 */
export function readLabelledCsv(path: string): IndexItem[] {
  const records = readCsvRecords(readFileSync(path, 'utf8'));
  const header = records.next();
  if (header.done || 'error' in header.value) {
    throw new Error(`${path}:1: expected a header naming the text and label columns`);
  }
  const columns = header.value.fields.map((name) => name.trim().toLowerCase());
  const [textAt, labelAt] = [columns.indexOf('text'), columns.indexOf('label')];
  if (textAt < 0 || labelAt < 0) {
    throw new Error(
      `${path}:1: the header must name a text and a label column; it has ${columns.join(', ')}`,
    );
  }
  const items: IndexItem[] = [];
  for (const record of records) {
    if ('error' in record) throw new Error(`${path}:${record.line}: ${record.error}`);
    const { fields, line } = record;
    if (fields.length !== columns.length) {
      throw new Error(`${path}:${line}: ${fields.length} fields, the header has ${columns.length}`);
    }
    const [text, label] = [fields[textAt].trim(), fields[labelAt].trim()];
    if (text === '' || label === '')
      throw new Error(`${path}:${line}: an empty ${text === '' ? 'text' : 'label'}`);
    items.push({ id: `row-${line}`, text, metadata: { label } });
  }
  return items;
}
