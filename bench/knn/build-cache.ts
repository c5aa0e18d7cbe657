import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../shared/artifacts/atomic-fs.ts';

/** What a build took, kept beside the built file so a later round reports the same build. */
const BuildRecordSchema = z.object({
  seconds: z.number().nonnegative(),
  graphSeconds: z.number().optional(),
});
export type BuildRecord = z.infer<typeof BuildRecordSchema>;

export interface BuiltFile extends BuildRecord {
  path: string;
  bytes: number;
  /** True when an earlier round built it (its time is that round's). */
  reused: boolean;
}

/**
 * A file that takes minutes to build (a search graph), built once per `npm run bench` invocation: with
 * `cacheDir` (the runner's, shared by its rounds) the first round builds it there and the later rounds
 * reuse it, measuring searches in their own fresh process; without, it is built in `dir`.
 */
export async function buildOnce(
  cacheDir: string | undefined,
  dir: string,
  name: string,
  build: (path: string) => Promise<BuildRecord> | BuildRecord,
): Promise<BuiltFile> {
  const path = join(cacheDir ?? dir, name);
  const recordPath = `${path}.build.json`;
  if (cacheDir && existsSync(recordPath)) {
    const record = BuildRecordSchema.parse(JSON.parse(readFileSync(recordPath, 'utf8')));
    return { ...record, path, bytes: statSync(path).size, reused: true };
  }
  const temp = `${path}.tmp`;
  const record = await build(temp);
  renameSync(temp, path);
  await writeFileAtomic(recordPath, JSON.stringify(record));
  return { ...record, path, bytes: statSync(path).size, reused: false };
}
