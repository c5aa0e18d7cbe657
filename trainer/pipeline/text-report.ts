import type { ProgressReporter } from '../train/progress.ts';

export async function reportTextStage(runDir: string, progress: ProgressReporter): Promise<void> {
  progress.log(`report for ${runDir}: pending`);
}
