import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomicSync } from '../../shared/artifacts/atomic-fs.ts';
import { Sha256Schema } from '../../shared/manifest.ts';
import { sha256OfJson } from '../registry/canonical-json.ts';

/**
 * The data a candidate is trained on, frozen before training starts, and its fingerprint: sha256 over
 * the canonical JSON of every part's source name, file hashes and record count. Equal fingerprints mean equal
 * training data, so the job can tell a resumable attempt and an already-trained snapshot apart from new
 * data. The snapshot is written to `<run>/snapshot/snapshot.json` and stored in the registry.
 */
export const SnapshotFileSchema = z
  .object({ name: z.string().min(1), sha256: Sha256Schema, bytes: z.number().int().nonnegative() })
  .strict();

export const SnapshotPartSchema = z
  .object({
    source: z.string().min(1),
    description: z.string(),
    /** Content hashes of what the source held; copies live beside snapshot.json when the source can change. */
    files: z.array(SnapshotFileSchema),
    records: z.number().int().nonnegative(),
    /** Records not in the previous snapshot (the champion's), e.g. events the edge recorded since. */
    newRecords: z.number().int().nonnegative().nullable(),
    /** Where an append-only source stopped (an event log's last id), so the next snapshot knows what is new. */
    cursor: z.string().nullable(),
  })
  .strict();
export type SnapshotPart = z.infer<typeof SnapshotPartSchema>;

export const SnapshotSchema = z
  .object({
    fingerprint: Sha256Schema,
    taken_at: z.iso.datetime(),
    parts: z.array(SnapshotPartSchema).min(1),
  })
  .strict();
export type Snapshot = z.infer<typeof SnapshotSchema>;

/**
 * A source of training data: WordNet (wordnet-source.ts), a recommendation config's CSV files
 * (csv-files-source.ts), the events the edge records (edge-events-source.ts). A source whose data can
 * change copies it into `dir`, so the run trains on exactly what was fingerprinted.
 */
export interface DataSource {
  readonly name: string;
  /**
   * Freezes what the source holds now into `dir` and describes it. `previous` is this source's part of
   * the previous snapshot (the champion's), for counting what is new.
   */
  freeze(dir: string, previous: SnapshotPart | undefined): Promise<SnapshotPart>;
}

/** Where a run keeps its snapshot: the copies its training reads, and snapshot.json. */
export function snapshotDir(runDir: string): string {
  return join(runDir, 'snapshot');
}

export async function takeSnapshot(
  sources: readonly DataSource[],
  dir: string,
  previous?: Snapshot,
): Promise<Snapshot> {
  mkdirSync(dir, { recursive: true });
  const parts: SnapshotPart[] = [];
  for (const source of sources) {
    const before = previous?.parts.find((part) => part.source === source.name);
    parts.push(SnapshotPartSchema.parse(await source.freeze(dir, before)));
  }
  const snapshot = SnapshotSchema.parse({
    // Content only: not descriptions (they name folders) nor positions relative to another snapshot.
    fingerprint: sha256OfJson(parts.map(({ source, files, records }) => ({ source, files, records }))),
    taken_at: new Date().toISOString(),
    parts,
  });
  writeJsonAtomicSync(join(dir, 'snapshot.json'), snapshot);
  return snapshot;
}
