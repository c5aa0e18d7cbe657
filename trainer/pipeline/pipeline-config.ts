import { dirname, resolve } from 'node:path';
import { type ImageConfig, parseImageConfig } from '../tasks/image/config.ts';
import { runImagePipeline } from '../tasks/image/stages/pipeline.ts';
import { parseRecsConfig, type RecsConfig } from '../tasks/recommendation/config.ts';
import { runRecsPipeline } from '../tasks/recommendation/stages/pipeline.ts';
import { parseTextConfig, type TextConfig } from '../tasks/text/config.ts';
import { runTextPipeline } from '../tasks/text/stages/pipeline.ts';
import { readJsonFile } from '../util/read-json-file.ts';
import type { PipelineOptions } from './stages.ts';

/** A training config of any task; its `task` field (absent: text) picks the pipeline that runs it. */
export type PipelineConfig =
  | { task: 'text-similarity'; config: TextConfig }
  | { task: 'image-similarity'; config: ImageConfig }
  | { task: 'recommendation'; config: RecsConfig };

export const TASKS = ['text-similarity', 'image-similarity', 'recommendation'] as const;

/** Reads a config file of any task; errors name the file (and line, for bad JSON) and each bad field. */
export function loadPipelineConfig(path: string): PipelineConfig {
  return parsePipelineConfig(readJsonFile(path), path, dirname(resolve(path)));
}

/** Validates a config of any task; relative data paths are resolved against `baseDir`. */
export function parsePipelineConfig(json: unknown, source: string, baseDir: string): PipelineConfig {
  const task = typeof json === 'object' && json !== null && 'task' in json ? json.task : 'text-similarity';
  switch (task) {
    case 'text-similarity':
      return { task, config: parseTextConfig(json, source) };
    case 'image-similarity':
      return { task, config: parseImageConfig(json, source) };
    case 'recommendation':
      return { task, config: parseRecsConfig(json, source, baseDir) };
    default:
      throw new Error(
        `${source}: invalid config\n  task: must be one of ${TASKS.join(', ')}; got ${JSON.stringify(task)}`,
      );
  }
}

/** Runs the pipeline of the config's task. */
export function runPipeline(
  loaded: PipelineConfig,
  options: Omit<PipelineOptions<unknown>, 'config'>,
): Promise<void> {
  if (options.sharding && loaded.task !== 'text-similarity') {
    throw new Error(
      `sharding the Workers index applies to text-similarity configs; this run's task is ${loaded.task}`,
    );
  }
  switch (loaded.task) {
    case 'text-similarity':
      return runTextPipeline({ ...options, config: loaded.config });
    case 'image-similarity':
      return runImagePipeline({ ...options, config: loaded.config });
    case 'recommendation':
      return runRecsPipeline({ ...options, config: loaded.config });
  }
}
