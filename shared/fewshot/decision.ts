import type { ClassScore } from './labelled.ts';

/** What a classifier answers for one input. */
export interface Classification {
  label: string;
  score: number;
  /** The next class in the ranking; null when no other class was in the running (a kNN vote of one class). */
  runnerUp: ClassScore | null;
  /** The best score is below the open-set threshold: the input may belong to none of the classes. */
  unknown: boolean;
}

/** The best class of a ranking (best first), judged against an open-set threshold (null: none). */
export function decide(ranking: readonly ClassScore[], threshold: number | null): Classification {
  const [best, runnerUp] = ranking;
  return {
    label: best.label,
    score: best.score,
    runnerUp: runnerUp ?? null,
    unknown: threshold !== null && best.score < threshold,
  };
}
