import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { readCurrent, readVersionManifest, versionDir } from '../shared/artifacts/index.ts';
import type { Manifest, TextInputSchema } from '../shared/manifest.ts';
import { loadTextConfig } from '../trainer/tasks/text/config.ts';
import { REPO_ROOT } from './paths.ts';

/** The config of the default text model, the one `npm start` trains and publishes. */
export const DEFAULT_TEXT_CONFIG = 'configs/wordnet-text.json';

export const HOW_TO_PUBLISH =
  'run `npm start` (or `node bin/dml-edge.js pipeline`) to train and publish the default text model ' +
  '(about 10 minutes on 2 cores), then rerun the benchmark';

export interface PublishedTextModel {
  dir: string;
  manifest: Manifest;
  /** The manifest's input, known to be text. */
  input: z.infer<typeof TextInputSchema>;
  modelPath: string;
  modelInt8Path: string;
  indexPath?: string;
  /** The training run the version came from, when its folder still exists (runs/<run_id>). */
  runDir?: string;
}

/**
 * The live version of the default text model, or why there is none. Its files are not re-hashed here:
 * the http section's server verifies them at load like any server does.
 */
export async function findDefaultTextModel(options: {
  artifactsDir: string;
  runsDir: string;
}): Promise<{ model: PublishedTextModel } | { missing: string }> {
  const { name } = loadTextConfig(join(REPO_ROOT, DEFAULT_TEXT_CONFIG));
  const current = await readCurrent(options.artifactsDir, name);
  if (!current) {
    return { missing: `no published ${name} model in ${options.artifactsDir}/: ${HOW_TO_PUBLISH}` };
  }
  const dir = versionDir(options.artifactsDir, name, current.version);
  const manifest = await readVersionManifest(dir);
  if (manifest.input.kind !== 'text') return { missing: `${dir} is not a text model` };
  const runDir = resolve(options.runsDir, manifest.training.run_id);
  return {
    model: {
      dir,
      manifest,
      input: manifest.input,
      modelPath: join(dir, manifest.files.model.path),
      modelInt8Path: join(dir, manifest.files.model_int8.path),
      ...(manifest.files.index ? { indexPath: join(dir, manifest.files.index.path) } : {}),
      ...(existsSync(runDir) ? { runDir } : {}),
    },
  };
}
