import { dot, l2Normalize } from '../vector.ts';
import { nearestExamples, voteOfNeighbours } from './knn-vote.ts';
import type { LabelledVector } from './labelled.ts';
import { classPrototypes } from './prototype.ts';

export type FewShotMethod = 'prototype' | 'knn';

/** The share of known-class inputs the calibrated threshold should accept (5% of them are called unknown). */
export const DEFAULT_ACCEPT_RATE = 0.95;

/**
 * Leave-one-out: each example classified by all the others, its best class score. Only examples whose
 * class keeps another example count: a class's only example, left out, would be an unknown class.
 */
export function leaveOneOutScores(
  examples: readonly LabelledVector[],
  method: FewShotMethod,
  k = 1,
): number[] {
  if (method === 'prototype') return leaveOneOutPrototypeScores(examples);
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const scores: number[] = [];
  examples.forEach((example, index) => {
    if (counts.get(example.label)! < 2) return;
    scores.push(voteOfNeighbours(nearestExamples(example.vector, examples, k, index))[0].score);
  });
  return scores;
}

/**
 * The prototype method's leave-one-out in one pass (a labelled collection at index time has thousands of
 * items): each item against its class's prototype without it (the normalised sum of the class's unit
 * vectors minus its own) and every other class's full prototype.
 */
function leaveOneOutPrototypeScores(examples: readonly LabelledVector[]): number[] {
  const prototypes = classPrototypes(examples);
  const sums = new Map(prototypes.map((p) => [p.label, new Float64Array(p.prototype.length)]));
  for (const { vector, label } of examples) {
    const sum = sums.get(label)!;
    const unit = l2Normalize(vector);
    for (let d = 0; d < sum.length; d++) sum[d] += unit[d];
  }
  const sizes = new Map(prototypes.map((p) => [p.label, p.items]));
  const scores: number[] = [];
  for (const { vector, label } of examples) {
    if (sizes.get(label)! < 2) continue;
    const unit = l2Normalize(vector);
    let best = dot(unit, l2Normalize(sums.get(label)!.map((value, d) => value - unit[d])));
    for (const p of prototypes) if (p.label !== label) best = Math.max(best, dot(unit, p.prototype));
    scores.push(best);
  }
  return scores;
}

/**
 * The open-set threshold: the highest score that still accepts `acceptRate` of the leave-one-out scores
 * (the floor(n x (1 - acceptRate))-th lowest of n, from 0), so an input scoring below it looks less like a
 * class than nearly every known example does. Null when there are no scores (no class has two examples).
 */
export function thresholdFromScores(
  scores: readonly number[],
  acceptRate = DEFAULT_ACCEPT_RATE,
): number | null {
  if (!(acceptRate > 0 && acceptRate <= 1))
    throw new Error(`accept rate must be in (0, 1], got ${acceptRate}`);
  if (scores.length === 0) return null;
  const sorted = [...scores].sort((a, b) => a - b);
  // The small epsilon keeps 20 x 0.05 at 1, not 0.9999999999999998.
  return sorted[Math.floor(sorted.length * (1 - acceptRate) + 1e-9)];
}

export function calibrateOpenSet(
  examples: readonly LabelledVector[],
  method: FewShotMethod,
  k = 1,
  acceptRate = DEFAULT_ACCEPT_RATE,
): number | null {
  return thresholdFromScores(leaveOneOutScores(examples, method, k), acceptRate);
}
