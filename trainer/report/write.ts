import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { ProgressReporter } from '../train/progress.ts';
import { renderReport } from './render.ts';
import type { ReportDataInput } from './schema.ts';

/**
 * Renders the report and writes it to `path` through a temporary file in the same folder and a rename,
 * so a reader never sees a half-written report.
 */
export async function writeReport(
  path: string,
  data: ReportDataInput,
  progress?: Pick<ProgressReporter, 'log'>,
): Promise<void> {
  const page = renderReport(data, progress);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, page, 'utf8');
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
