import type { PendingTarget, Row } from './results.ts';

/** What every section gets from the runner. */
export interface SectionContext {
  /** Prints a progress line, prefixed with the section's name and the time since the suite started. */
  log(message: string): void;
  options: BenchOptions;
}

export interface BenchOptions {
  /** Adds the slow cases (knn at 1M vectors). */
  large: boolean;
  /** Where the published models are (the default text model is looked up here). */
  artifactsDir: string;
  /** Where training runs are (the TF.js comparison reads the published run's checkpoint). */
  runsDir: string;
  /**
   * Where slow builds (search graphs) are kept between the rounds of one invocation: the first round builds,
   * the others reuse (bench/knn/build-cache.ts). Absent: each build is made where it is used.
   */
  buildCache?: string;
}

export interface SectionOutcome {
  /** 'skipped' when an input is missing (the notes say how to produce it); rows may then be partial. */
  status: 'ran' | 'skipped';
  notes: string[];
  rows: Row[];
  pendingTargets?: PendingTarget[];
}

export interface RunnableSection {
  name: string;
  title: string;
  run(context: SectionContext): Promise<SectionOutcome>;
}

/** A section whose subject has not landed yet: listed in the docs, never run. */
export interface PendingSection {
  name: string;
  title: string;
  pending: string;
}

export type Section = RunnableSection | PendingSection;

export function isPending(section: Section): section is PendingSection {
  return 'pending' in section;
}
