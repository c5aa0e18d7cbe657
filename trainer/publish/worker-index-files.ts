import { copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncPath } from '../../shared/artifacts/atomic-fs.ts';
import { describeFile, readWorkerIndex } from '../../shared/artifacts/verify.ts';
import { workerIndexFiles } from '../../shared/artifacts/worker-index.ts';

/**
 * Publishing a worker-index.json brings the shard files it lists from its folder: each copy must have the
 * size and sha256 the list gives (the manifest then vouches for the list, and the list for the shards).
 */
export async function copyWorkerIndexFiles(workerIndexPath: string, targetDir: string): Promise<void> {
  const sourceDir = dirname(workerIndexPath);
  for (const entry of workerIndexFiles(await readWorkerIndex(sourceDir))) {
    const target = join(targetDir, entry.path);
    await copyFile(join(sourceDir, entry.path), target);
    await fsyncPath(target);
    const copied = await describeFile(target);
    if (copied.bytes !== entry.bytes || copied.sha256 !== entry.sha256) {
      throw new Error(`${join(sourceDir, entry.path)} does not match worker-index.json (size or sha256)`);
    }
  }
}
