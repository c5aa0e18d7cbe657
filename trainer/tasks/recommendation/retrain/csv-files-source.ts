import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeFile } from '../../../../shared/artifacts/verify.ts';
import type { DataSource, SnapshotPart } from '../../../retrain/snapshot.ts';
import { readCsvRecords } from '../../../util/csv.ts';
import type { RecsConfig } from '../config.ts';

/** The data files of a recommendation config. */
type DataFiles = Pick<RecsConfig['data'], 'items' | 'interactions'>;

/** Where the copies of a recommendation config's CSV files live in a snapshot folder. */
export function csvCopies(data: DataFiles, dir: string): { items: string; interactions: string[] } {
  return {
    items: join(dir, 'items.csv'),
    interactions: data.interactions.map((_, n) => join(dir, `interactions-${n + 1}.csv`)),
  };
}

/**
 * The item and interaction CSV files of a recommendation config. They are ordinary files that anyone
 * may edit or replace, so each is copied into the snapshot and the run trains on the copies: what was
 * fingerprinted is what is trained on, also when a resumed attempt starts hours later. Records are the
 * interaction rows.
 */
export function csvFilesSource(data: DataFiles): DataSource {
  return {
    name: 'csv-files',
    async freeze(dir, previous): Promise<SnapshotPart> {
      const copies = csvCopies(data, dir);
      const pairs = [
        { from: data.items, to: copies.items },
        ...data.interactions.map((from, n) => ({ from, to: copies.interactions[n] })),
      ];
      const files = [];
      for (const { from, to } of pairs) {
        copyFileSync(from, to);
        const { path: name, sha256, bytes } = await describeFile(to);
        files.push({ name, sha256, bytes });
      }
      const records = copies.interactions.reduce((sum, copy) => sum + dataRows(copy), 0);
      return {
        source: 'csv-files',
        description: `items ${data.items}; interactions ${data.interactions.join(', ')}`,
        files,
        records,
        newRecords: previous ? Math.max(0, records - previous.records) : null,
        cursor: null,
      };
    },
  };
}

/** CSV records after the header, bad ones included (the training counts and skips those). */
function dataRows(path: string): number {
  let rows = -1;
  for (const _ of readCsvRecords(readFileSync(path, 'utf8'))) rows++;
  return Math.max(0, rows);
}
