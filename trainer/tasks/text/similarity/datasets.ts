import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MissingDataError } from './scored-pair.ts';

/**
 * The shared datasets folder (STS Benchmark, PAWS-Wiki) sits beside the project, not in it: the STS
 * sentences may not be committed. `DML_EDGE_DATASETS` overrides the default `../shared/datasets`.
 */
export const DEFAULT_DATASETS_DIR = '../shared/datasets';

export function datasetsDir(explicit?: string): string {
  return resolve(explicit ?? process.env.DML_EDGE_DATASETS ?? DEFAULT_DATASETS_DIR);
}

/** A dataset folder under the datasets root, or a MissingDataError naming the path and the fix. */
export function requireDatasetDir(root: string, name: string): string {
  const dir = resolve(root, name);
  if (!existsSync(dir)) {
    throw new MissingDataError(
      dir,
      `the ${name} dataset is not there; put it in ${resolve(root)} (see its README.md) ` +
        'or point DML_EDGE_DATASETS at the folder that holds it',
    );
  }
  return dir;
}
