import type { RetrainHooks, TaskDefinition } from './definition.ts';
import { imageTask } from './image/task.ts';
import { recommendationTask } from './recommendation/task.ts';
import { textTask } from './text/task.ts';

/** Every task; a config's `task` field names one (taskField). */
export const TASKS = [textTask, imageTask, recommendationTask] as const;

type AnyTask = (typeof TASKS)[number];

export type TaskName = AnyTask['name'];

/** A training config of any task, with the name of the task that reads it. */
export type PipelineConfig = AnyTask extends infer Task
  ? Task extends TaskDefinition<infer Name, infer Config>
    ? { task: Name; config: Config }
    : never
  : never;

/** Any task's definition, as one that takes any task's config (the caller pairs them by `task`). */
type AnyDefinition = TaskDefinition<TaskName, PipelineConfig['config']>;

/** The task a loaded config belongs to. */
export function taskOf(loaded: PipelineConfig): AnyDefinition {
  return findTask(loaded.task)!;
}

/** The value of a config's `task` field; a config without one is a text-similarity config. */
export function taskField(config: unknown): unknown {
  return typeof config === 'object' && config !== null && 'task' in config ? config.task : textTask.name;
}

/** The task named `name`, or undefined. */
export function findTask(name: unknown): AnyDefinition | undefined {
  return TASKS.find((task) => task.name === name);
}

export const TASK_NAMES: readonly TaskName[] = TASKS.map((task) => task.name);

/** How the config's task retrains; for a task that does not, an error that says why (prefixed by `source`). */
export function retrainHooksOf(
  loaded: PipelineConfig,
  source: string,
): RetrainHooks<PipelineConfig['config']> {
  const { retrain } = taskOf(loaded);
  if ('unsupported' in retrain) {
    const supported = TASKS.filter((task) => !('unsupported' in task.retrain)).map((task) => task.name);
    throw new Error(
      `${source}: the retrain job does not retrain ${loaded.task} models such as ${loaded.config.name} ` +
        `(${retrain.unsupported}); it retrains ${supported.join(' and ')} models`,
    );
  }
  return retrain;
}
