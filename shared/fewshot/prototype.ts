import { dot, l2Normalize } from '../vector.ts';
import { byScoreThenLabel, type ClassScore, groupByLabel, type LabelledVector } from './labelled.ts';

/** A class as nearest-prototype classification sees it: the mean of its normalised examples, normalised. */
export interface ClassPrototype {
  label: string;
  items: number;
  prototype: Float32Array;
}

/** The unit mean of unit vectors (their sum normalised: the same direction as the mean). */
export function unitMean(vectors: readonly ArrayLike<number>[]): Float32Array {
  const sum = new Float64Array(vectors[0].length);
  for (const vector of vectors) {
    const unit = l2Normalize(vector);
    for (let d = 0; d < sum.length; d++) sum[d] += unit[d];
  }
  return l2Normalize(sum);
}

export function classPrototypes(examples: readonly LabelledVector[]): ClassPrototype[] {
  return [...groupByLabel(examples)].map(([label, vectors]) => ({
    label,
    items: vectors.length,
    prototype: unitMean(vectors),
  }));
}

/** Every class by the cosine of `query` (a unit vector) to its prototype, best first. */
export function rankByPrototype(
  query: ArrayLike<number>,
  prototypes: readonly ClassPrototype[],
): ClassScore[] {
  return prototypes.map((p) => ({ label: p.label, score: dot(query, p.prototype) })).sort(byScoreThenLabel);
}
