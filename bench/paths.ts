import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths the suite reads and writes, anchored at the repository root whatever the working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');
export const DOCS_FILE = join(REPO_ROOT, 'docs', 'benchmarks.md');

export function resultsPath(date: string): string {
  return join(RESULTS_DIR, `${date}.json`);
}
