import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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

export function readRunJson<T>(runDir: string, file: keyof typeof RUN_FILES): T {
  const path = runPath(runDir, file);
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist: run the stage that writes it first (see dml-edge --help)`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
