import type { BackendChoice, BackendInfo } from '../backend/index.ts';
import type { PublishResult } from '../publish/publish.ts';
import type { VersionRegistry } from '../registry/registry.ts';
import type { ProgressReporter } from '../train/progress.ts';
import type { Comparison } from './comparison.ts';
import type { DataSource } from './snapshot.ts';

/** The pipeline stages a retrain job runs itself; publishing is the job's own step (publish-candidate.ts). */
export type RetrainStage = 'train' | 'evaluate' | 'export' | 'index' | 'report';

/** What a stage of the candidate's run is given. */
export interface StageContext {
  runDir: string;
  runId: string;
  version: string;
  backend: BackendInfo;
  progress: ProgressReporter;
}

/** What a comparison with the champion is given. */
export interface CompareContext {
  registry: VersionRegistry;
  artifactsDir: string;
  model: string;
  runDir: string;
  /** The champion's version, if the model has one. */
  champion: string | undefined;
  progress: ProgressReporter;
}

/**
 * What differs between the models a retrain job trains (each task's retrain/task.ts): their data sources,
 * their pipeline stages, how candidate and champion are compared, and what a candidate must reach to be
 * published at all. The job (job.ts) owns every step around them: lock, registry, snapshot, resume,
 * gate, kill points, publishing and the switch.
 */
export interface RetrainTask {
  readonly model: string;
  /** The training config as given: recorded in the registry and hashed (a change starts a new candidate). */
  readonly config: Record<string, unknown>;
  readonly backend: BackendChoice;
  readonly sources: readonly DataSource[];
  /** Stages before the comparison, in order; then those after a promotion (the report is optional). */
  readonly stagesBeforeGate: readonly RetrainStage[];
  readonly stagesAfterGate: readonly RetrainStage[];
  readonly stages: Readonly<Record<RetrainStage, (context: StageContext) => Promise<unknown>>>;
  compare(context: CompareContext): Promise<Comparison>;
  /** Why the candidate may not be published whatever the champion scores, or undefined. */
  refusal(runDir: string): string | undefined;
  /** The pipeline's publish stage, run into a private staging root (publish-candidate.ts). */
  publish(runDir: string, root: string, progress: ProgressReporter): Promise<PublishResult>;
}
