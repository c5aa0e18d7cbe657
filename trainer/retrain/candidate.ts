import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRunDir, newRunId } from '../pipeline/run-dir.ts';
import { sha256OfJson } from '../registry/canonical-json.ts';
import type { VersionRegistry } from '../registry/registry.ts';
import type { VersionRecord } from '../registry/schema.ts';
import type { ProgressReporter } from '../train/progress.ts';
import { type Snapshot, SnapshotSchema, snapshotDir, takeSnapshot } from './snapshot.ts';
import type { RetrainTask } from './task.ts';

export type CandidateChoice = (
  | /** A version was already trained on this snapshot with this config: training again gives the same. */
  { kind: 'done'; version: VersionRecord }
  /** The candidate to train: new, or resumed from an attempt that died. */
  | { kind: 'train'; version: VersionRecord; resumed: boolean }
) & {
  /** The data as the job found it now (for a resumed candidate, its own snapshot is the same data). */
  snapshot: Snapshot;
};

/**
 * Step 1 of the job: snapshots the training data into a new run folder, then looks the snapshot's
 * fingerprint and the config's hash up in the registry. A finished version with both is `done` (unless
 * `force`); an unfinished candidate with both whose run folder exists is resumed in that folder;
 * otherwise a new candidate is recorded. Candidates left over from other data or configs are marked
 * abandoned.
 */
export async function chooseCandidate(options: {
  registry: VersionRegistry;
  task: Pick<RetrainTask, 'model' | 'config' | 'sources'>;
  runsDir: string;
  champion: VersionRecord | undefined;
  force: boolean;
  progress: ProgressReporter;
}): Promise<CandidateChoice> {
  const { registry, task, champion, progress } = options;
  const { model, config } = task;
  const fresh = newRun(options.runsDir, registry, model);
  const snapshot = await takeSnapshot(task.sources, snapshotDir(fresh.runDir), snapshotOf(champion));
  const configSha256 = sha256OfJson(config);
  progress.log(
    `data snapshot ${snapshot.fingerprint.slice(0, 12)}: ` +
      snapshot.parts.map((p) => `${p.source} ${p.records} records (${p.newRecords ?? 'all'} new)`).join(', '),
  );

  const lineage = registry.withLineage(model, snapshot.fingerprint, configSha256);
  const done = lineage.find((v) => v.status !== 'candidate');
  if (done && !options.force) {
    rmSync(fresh.runDir, { recursive: true, force: true });
    return { kind: 'done', version: done, snapshot };
  }
  const resumable = lineage.find(
    (v) => v.status === 'candidate' && v.runDir !== null && existsSync(v.runDir),
  );
  for (const other of registry.list(model)) {
    if (other.status !== 'candidate' || other.version === resumable?.version) continue;
    registry.setStatus(
      model,
      other.version,
      'rejected',
      'abandoned: a later run started on other data or config',
    );
  }
  if (resumable) {
    rmSync(fresh.runDir, { recursive: true, force: true });
    progress.log(`resuming candidate ${resumable.version} in ${resumable.runDir}`);
    return { kind: 'train', version: resumable, resumed: true, snapshot };
  }
  const created = registry.add({
    model,
    version: fresh.version,
    status: 'candidate',
    parentVersion: champion?.version ?? null,
    runId: fresh.id,
    runDir: fresh.runDir,
    dataFingerprint: snapshot.fingerprint,
    snapshot,
    config,
    configSha256,
    reason: 'training',
    publishedAt: null,
    promotedAt: null,
  });
  progress.log(`candidate ${created.version} in ${fresh.runDir}`);
  return { kind: 'train', version: created, resumed: false, snapshot };
}

/** A new run folder and version; a suffix keeps two runs started within one second apart. */
function newRun(runsDir: string, registry: VersionRegistry, model: string) {
  const base = newRunId(model).version;
  for (let n = 1; ; n++) {
    const version = n === 1 ? base : `${base}-${n}`;
    const id = `${model}-${version}`;
    if (!registry.get(model, version) && !existsSync(resolve(runsDir, id))) {
      return { id, version, runDir: createRunDir(runsDir, id) };
    }
  }
}

function snapshotOf(version: VersionRecord | undefined): Snapshot | undefined {
  const parsed = SnapshotSchema.safeParse(version?.snapshot);
  return parsed.success ? parsed.data : undefined;
}
