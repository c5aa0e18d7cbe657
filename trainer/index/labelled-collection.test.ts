import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CollectionLabelsSchema } from '../../shared/manifest.ts';
import { labelCollector } from './labelled-collection.ts';
import { readLabelledCsv } from './labelled-csv.ts';

const folder = mkdtempSync(join(tmpdir(), 'dml-labelled-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

describe('a labelled CSV', () => {
  it('gives one item per row with its label in metadata, whatever the column order', () => {
    const path = csv(
      'ok.csv',
      'label,text,source\nbilling,"charged twice, again",mail\r\nbug,the app crashes,web\n\n',
    );
    expect(readLabelledCsv(path)).toEqual([
      { id: 'row-2', text: 'charged twice, again', metadata: { label: 'billing' } },
      { id: 'row-3', text: 'the app crashes', metadata: { label: 'bug' } },
    ]);
  });

  it.each([
    ['no label column', 'text,topic\na,b\n', ':1: the header must name a text and a label column'],
    ['a short row', 'text,label\na,b\nc\n', ':3: 1 fields, the header has 2'],
    ['an empty label', 'text,label\na,\n', ':2: an empty label'],
    ['a quote never closed', 'text,label\n"a,b\n', ':2: a quoted field is never closed'],
  ])('stops at %s with the file and line', (name, text, message) => {
    const path = csv(`${name}.csv`, text);
    expect(() => readLabelledCsv(path)).toThrow(`${path}${message}`);
  });
});

describe('the classes of a labelled collection', () => {
  const at = (degrees: number) =>
    Float32Array.of(Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180));

  it('are gathered while the items are embedded: prototypes and the leave-one-out threshold', async () => {
    const classes = labelCollector('label');
    const angles: Record<string, number> = { a0: 0, a30: 30, b90: 90, b150: 150, c: 270 };
    const embed = classes.observe(async (texts: string[]) => texts.map((text) => at(angles[text])));
    const items = (ids: string[]) =>
      ids.map((id) => ({ id, text: id, metadata: id === 'c' ? {} : { label: id[0] } }));
    await embed(['a0', 'a30'], items(['a0', 'a30']));
    await embed(['b90', 'b150', 'c'], items(['b90', 'b150', 'c']));
    const labels = CollectionLabelsSchema.parse(classes.labels());
    expect(labels.classes.map((c) => [c.label, c.items])).toEqual([
      ['a', 2],
      ['b', 2],
    ]);
    // a's prototype is at 15 degrees; leave-one-out scores 0.866, 0.866, 0.5, 0.5: 95% are accepted from 0.5.
    expect(labels.classes[0].prototype[0]).toBeCloseTo(Math.cos(Math.PI / 12), 6);
    expect(labels.open_set_threshold).toBeCloseTo(0.5, 6);
  });

  it('needs two classes', () => {
    expect(() => labelCollector('label').labels()).toThrow(/at least two classes in metadata.label; found 0/);
  });
});
