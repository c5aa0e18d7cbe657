import { writeFileAtomic } from '../../shared/artifacts/atomic-fs.ts';
import type { ProgressReporter } from '../train/progress.ts';
import { renderReport } from './render.ts';
import type { ReportDataInput } from './schema.ts';

/**
 * Renders the report and writes it to `path` atomically, so a reader never sees a half-written report.
 */
export async function writeReport(
  path: string,
  data: ReportDataInput,
  progress?: Pick<ProgressReporter, 'log'>,
): Promise<void> {
  const page = renderReport(data, progress);
  await writeFileAtomic(path, page);
}
