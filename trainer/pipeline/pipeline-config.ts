import { dirname, resolve } from 'node:path';
import { findTask, type PipelineConfig, TASK_NAMES, TASKS, taskField, taskOf } from '../tasks/index.ts';
import { readJsonFile } from '../util/read-json-file.ts';
import type { PipelineOptions } from './stages.ts';

export type { PipelineConfig };

/** Reads a config file of any task; errors name the file (and line, for bad JSON) and each bad field. */
export function loadPipelineConfig(path: string): PipelineConfig {
  return parsePipelineConfig(readJsonFile(path), path, dirname(resolve(path)));
}

/**
 * Validates a config of any task: its `task` field (absent: text similarity) names the task whose
 * schema reads it. Relative data paths are resolved against `baseDir`.
 */
export function parsePipelineConfig(json: unknown, source: string, baseDir: string): PipelineConfig {
  const name = taskField(json);
  const task = findTask(name);
  if (!task) {
    throw new Error(
      `${source}: invalid config\n  task: must be one of ${TASK_NAMES.join(', ')}; got ${JSON.stringify(name)}`,
    );
  }
  return { task: task.name, config: task.parseConfig(json, source, baseDir) } as PipelineConfig;
}

/** Runs the pipeline of the config's task. */
export function runPipeline(
  loaded: PipelineConfig,
  options: Omit<PipelineOptions<unknown>, 'config'>,
): Promise<void> {
  const task = taskOf(loaded);
  if (options.sharding && !task.shardsWorkerIndex) {
    const takers = TASKS.filter((each) => each.shardsWorkerIndex).map((each) => each.name);
    throw new Error(
      `sharding the Workers index applies to ${takers.join(', ')} configs; this run's task is ${loaded.task}`,
    );
  }
  return task.runPipeline({ ...options, config: loaded.config });
}
