import type { Contender } from './run-episodes.ts';

/** Items with classes, and the classifiers to compare on them: one few-shot case. */
export interface FewShotCase {
  model: string;
  description: string;
  labels: Int32Array;
  classNames: readonly string[];
  contenders: Contender[];
}
