/** A unit vector with its class, and a class's score for one input: what every few-shot classifier handles. */
export interface LabelledVector {
  vector: Float32Array;
  label: string;
}

export interface ClassScore {
  label: string;
  /** Cosine similarity in [-1, 1] (a prototype's, or the mean over a class's voting neighbours). */
  score: number;
}

/** Best class first: higher score, then the label in code-point order, so answers never depend on input order. */
export function byScoreThenLabel(a: ClassScore, b: ClassScore): number {
  return b.score - a.score || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

/** Each label's vectors, labels in code-point order. */
export function groupByLabel(examples: readonly LabelledVector[]): Map<string, Float32Array[]> {
  const groups = new Map<string, Float32Array[]>();
  for (const label of [...new Set(examples.map((e) => e.label))].sort()) groups.set(label, []);
  for (const example of examples) groups.get(example.label)!.push(example.vector);
  return groups;
}
