import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WORKER_INDEX_FILE } from '../../shared/artifacts/worker-index.ts';
import { MANIFEST_SCHEMA_VERSION } from '../../shared/manifest.ts';
import type { BackendInfo } from '../backend/index.ts';
import { type ManifestDraft, type PublishResult, publishVersion } from '../publish/publish.ts';
import type { ProgressReporter } from '../train/progress.ts';
import { runPath } from './run-dir.ts';

/** What every pipeline's train stage records in run.json and the manifest repeats. */
export interface PublishedRunInfo {
  runId: string;
  version: string;
  backend: BackendInfo;
  dataFingerprint: string;
  steps: number;
  seconds: number;
}

/** The manifest fields that depend on the task; the rest comes from the run. */
export type TaskManifest = Omit<
  ManifestDraft,
  'schema_version' | 'name' | 'version' | 'created_at' | 'serve' | 'training' | 'data_fingerprint'
>;

/**
 * Stage 6 of every pipeline: the run's files (model, int8 model, index and, when built, the report)
 * published atomically under a manifest that records the config, backend and data fingerprint.
 */
export async function publishRun(options: {
  runDir: string;
  artifactsDir: string;
  progress: ProgressReporter;
  config: { name: string; serve: 'model' | 'model_int8' };
  run: PublishedRunInfo;
  manifest: TaskManifest;
}): Promise<PublishResult> {
  const { runDir, config, run } = options;
  const reportPath = runPath(runDir, 'report');
  const workerIndexPath = join(dirname(runPath(runDir, 'index')), WORKER_INDEX_FILE);
  const result = await publishVersion({
    artifactsDir: options.artifactsDir,
    manifest: {
      schema_version: MANIFEST_SCHEMA_VERSION,
      name: config.name,
      version: run.version,
      created_at: new Date().toISOString(),
      serve: config.serve,
      training: {
        config,
        backend: `${run.backend.name} (${run.backend.package})`,
        ...(run.backend.adapter ? { adapter: run.backend.adapter } : {}),
        steps: run.steps,
        seconds: run.seconds,
        run_id: run.runId,
      },
      data_fingerprint: run.dataFingerprint,
      ...options.manifest,
    },
    files: {
      model: runPath(runDir, 'model'),
      model_int8: runPath(runDir, 'modelInt8'),
      index: runPath(runDir, 'index'),
      ...(existsSync(reportPath) ? { report: reportPath } : {}),
      // The Workers build of the index, when the index stage wrote one (its shard files come with it).
      ...(existsSync(workerIndexPath) ? { worker_index: workerIndexPath } : {}),
    },
  });
  options.progress.log(`published ${config.name}@${run.version} to ${result.dir}`);
  return result;
}
