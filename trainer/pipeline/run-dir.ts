import { existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { z } from 'zod';
import { writeJsonAtomicSync } from '../../shared/artifacts/atomic-fs.ts';
import { describeIssues } from '../../shared/validation.ts';
import { readJsonFile } from '../util/read-json-file.ts';
import type { Stage } from './stage-list.ts';

/**
 * A run folder holds everything one training run produced, stage by stage, as plain files, so any stage
 * can be rerun alone:
 *   runs/<id>/config.json, run.json, checkpoints/{last,best}/, metrics.json, eval.json,
 *             model.onnx, model.int8.onnx, export.json, index.db, index.json, report.html
 */
export const RUN_FILES = {
  config: 'config.json',
  run: 'run.json',
  metrics: 'metrics.json',
  evaluation: 'eval.json',
  exportInfo: 'export.json',
  model: 'model.onnx',
  modelInt8: 'model.int8.onnx',
  index: 'index.db',
  indexInfo: 'index.json',
  report: 'report.html',
  bestCheckpoint: join('checkpoints', 'best'),
} as const;

export function runPath(runDir: string, file: keyof typeof RUN_FILES): string {
  return join(runDir, RUN_FILES[file]);
}

/** A sortable, filesystem-safe id such as `wordnet-text-20261128-081530`; also the model version. */
export function newRunId(name: string, now = new Date()): { id: string; version: string } {
  const version = now
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replaceAll('-', '')
    .replaceAll(':', '')
    .replace('T', '-');
  return { id: `${name}-${version}`, version };
}

export function createRunDir(runsDir: string, id: string): string {
  const dir = resolve(runsDir, id);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The JSON files of a run folder and the stage that writes each: the one to rerun when it is missing or bad. */
export const RUN_JSON_WRITERS = {
  config: 'train',
  run: 'train',
  metrics: 'train',
  evaluation: 'evaluate',
  exportInfo: 'export',
  indexInfo: 'index',
} as const satisfies Partial<Record<keyof typeof RUN_FILES, Stage>>;
export type RunJsonFile = keyof typeof RUN_JSON_WRITERS;

/**
 * Reads a JSON file of a run folder through the schema of the stage that wrote it. A missing file, or one
 * an older or broken run left (a missing field, a wrong type), fails with the file, each bad field and the
 * stage to rerun.
 */
export function readRunFile<S extends z.ZodType>(runDir: string, file: RunJsonFile, schema: S): z.output<S> {
  const path = runPath(runDir, file);
  const stage = RUN_JSON_WRITERS[file];
  const rerun = `dml-edge ${stage} --run ${basename(resolve(runDir))}`;
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist: run the ${stage} stage first (${rerun})`);
  }
  const parsed = schema.safeParse(readJsonFile(path));
  if (parsed.success) return parsed.data;
  throw new Error(
    `${path}: invalid run file\n  ${describeIssues(parsed.error).join('\n  ')}\n` +
      `written by the ${stage} stage of an older or broken run: rerun it (${rerun})`,
  );
}

/** Writes a JSON file of a run folder, typed by the schema its readers parse it with. */
export function writeRunFile<S extends z.ZodType>(
  runDir: string,
  file: RunJsonFile,
  _schema: S,
  value: z.input<S>,
): void {
  writeJsonAtomicSync(runPath(runDir, file), value);
}
