import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { onnxCheckerMissing, onnxCheckerPolicy } from '../export/onnx-check.ts';
import type { ProgressReporter } from '../train/progress.ts';
import type { Stage } from './stages.ts';

/**
 * What the stages about to run need from this machine, checked before any of them starts (never after an
 * hour of training): the ONNX checker where the policy requires it, and a writable artifacts folder.
 * Notes what will be done without (Python's checker under the default policy).
 */
export async function preflight(
  stages: readonly Stage[],
  options: { artifactsDir: string; progress: ProgressReporter },
): Promise<void> {
  if (stages.includes('export')) {
    const missing = await onnxCheckerMissing();
    if (missing && onnxCheckerPolicy() === 'require') {
      throw new Error(`DML_EDGE_ONNX_CHECKER=require but Python's ONNX checker cannot run: ${missing}`);
    }
    if (missing) {
      options.progress.log(
        `note: Python's ONNX checker is not available (${missing}); exported files are validated by ` +
          'onnxruntime and the parity check with TF.js instead',
      );
    }
  }
  if (stages.includes('publish')) assertWritable(options.artifactsDir);
}

/** The folder, or the nearest existing folder above it, must be writable. */
function assertWritable(dir: string): void {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new Error(`cannot publish to ${dir}: ${existing} is not writable; pass --artifacts <dir>`);
  }
  mkdirSync(dir, { recursive: true });
}
