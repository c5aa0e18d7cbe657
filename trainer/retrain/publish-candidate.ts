import { rename, rm } from 'node:fs/promises';
import { fsyncPath, pathExists, removeDeadTemps, tempSibling } from '../../shared/artifacts/atomic-fs.ts';
import { modelDir, versionDir } from '../../shared/artifacts/layout.ts';
import { verifyVersion } from '../../shared/artifacts/verify.ts';
import type { Manifest } from '../../shared/manifest.ts';
import type { ProgressReporter } from '../train/progress.ts';
import type { RetrainTask } from './task.ts';

/**
 * Publishes a run's version without making it live. The pipeline's publish stage writes the version
 * (files, checksums, manifest) into a private staging root beside the final folder, on the same file
 * system; the complete folder is then renamed into `<artifacts>/<model>/<version>`. Switching `current`
 * is the caller's last step. The staging root is a dead-writer temporary (`.tmp-<version>-<pid>-…`), so a
 * killed job's leftovers are swept by the next publish, and the server never lists it.
 *
 * When the version folder already exists (a previous attempt died after the rename), it is verified and
 * reused if that same run published it.
 */
export async function publishCandidate(options: {
  task: Pick<RetrainTask, 'model' | 'publish'>;
  runDir: string;
  runId: string;
  artifactsDir: string;
  version: string;
  progress: ProgressReporter;
}): Promise<Manifest> {
  const { artifactsDir, version } = options;
  const { model } = options.task;
  const finalDir = versionDir(artifactsDir, model, version);
  if (await pathExists(finalDir)) {
    const manifest = await verifyVersion(finalDir);
    if (manifest.training.run_id !== options.runId) {
      throw new Error(
        `${finalDir} exists and came from run ${manifest.training.run_id}, not ${options.runId}`,
      );
    }
    options.progress.log(`${model}@${version} was published by an earlier attempt: verified, reusing it`);
    return manifest;
  }
  await removeDeadTemps(finalDir);
  const staging = tempSibling(finalDir);
  try {
    const staged = await options.task.publish(options.runDir, staging, options.progress);
    await rename(staged.dir, finalDir);
    await fsyncPath(modelDir(artifactsDir, model));
    return staged.manifest;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
