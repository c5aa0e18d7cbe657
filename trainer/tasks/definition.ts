import type { BackendChoice } from '../backend/index.ts';
import type { PipelineOptions } from '../pipeline/stages.ts';
import type { EventLog } from '../retrain/event-log.ts';
import type { RetrainTask } from '../retrain/task.ts';

/** What every task's config has: the model's name and the backend it trains on. */
export interface TaskConfig {
  name: string;
  backend: BackendChoice;
}

/** What a retrain job gives a task besides its config. */
export interface RetrainInputs {
  /** The events the edges recorded (the Node server's state database, the Worker's D1 database). */
  events: readonly EventLog[];
}

/** How a task retrains (trainer/retrain/job.ts runs every step around these hooks). */
export interface RetrainHooks<Config extends TaskConfig> {
  /** The gate's metric when the retrain config names none. */
  readonly defaultGateMetric: string;
  /** The job reads the edges' event logs (the CLI opens them; without one the job fails). */
  readonly needsEventLogs: boolean;
  create(config: Config, inputs: RetrainInputs): RetrainTask;
}

/**
 * One task (text similarity, image similarity, recommendation): the generic pipeline runner, the retrain
 * job and the CLI look it up by its name (trainer/tasks/index.ts) instead of knowing it. Members are
 * methods so that a definition of one config type is usable where any task's definition is.
 */
export interface TaskDefinition<Name extends string, Config extends TaskConfig> {
  /** The value of a config's `task` field. */
  readonly name: Name;
  /** Validates a config (errors name `source` and each bad field); relative data paths resolve against `baseDir`. */
  parseConfig(json: unknown, source: string, baseDir: string): Config;
  /** Runs the requested stages of the task's pipeline. */
  runPipeline(options: PipelineOptions<Config>): Promise<void>;
  /** The figures `dml-edge models` shows for a version, headline first. */
  readonly headlineMetrics: readonly string[];
  /** Whether the index stage takes `dml-edge index --shards` (a Workers index split into shards). */
  readonly shardsWorkerIndex: boolean;
  /** `--strict` (bad data rows fail the run), for a task whose data has rows to skip. */
  readonly strictData?: {
    isStrict(config: Config): boolean;
    strict(config: Config): Config;
  };
  /** How the task retrains, or why it does not. */
  readonly retrain: RetrainHooks<Config> | { readonly unsupported: string };
}

/** Keeps the task's literal name in its definition's type (the registry derives its types from it). */
export function defineTask<Name extends string, Config extends TaskConfig>(
  definition: TaskDefinition<Name, Config>,
): TaskDefinition<Name, Config> {
  return definition;
}
