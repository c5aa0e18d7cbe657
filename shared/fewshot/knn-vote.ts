import { dot } from '../vector.ts';
import { byScoreThenLabel, type ClassScore, type LabelledVector } from './labelled.ts';

/** One of an input's nearest labelled neighbours and its cosine to the input. */
export interface Neighbour {
  label: string;
  score: number;
}

/** The k examples nearest to `query` by cosine (unit vectors), nearest first; ties: the earlier example. */
export function nearestExamples(
  query: ArrayLike<number>,
  examples: readonly LabelledVector[],
  k: number,
  /** An example to leave out (leave-one-out calibration). */
  skip = -1,
): Neighbour[] {
  return examples
    .map((example, index) => ({ index, label: example.label, score: dot(query, example.vector) }))
    .filter((n) => n.index !== skip)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, k)
    .map(({ label, score }) => ({ label, score }));
}

/**
 * The k-nearest-neighbour vote: the class with the most of the neighbours wins; equal votes go to the
 * class whose voters are the more similar in total. Each voting class scores the mean cosine of its
 * voters, so the score reads like a prototype's. Classes with no voter are not ranked.
 */
export function voteOfNeighbours(neighbours: readonly Neighbour[]): ClassScore[] {
  const tally = new Map<string, { votes: number; sum: number }>();
  for (const { label, score } of neighbours) {
    const entry = tally.get(label) ?? { votes: 0, sum: 0 };
    tally.set(label, { votes: entry.votes + 1, sum: entry.sum + score });
  }
  return [...tally]
    .sort(
      ([labelA, a], [labelB, b]) =>
        b.votes - a.votes ||
        byScoreThenLabel({ label: labelA, score: a.sum }, { label: labelB, score: b.sum }),
    )
    .map(([label, { votes, sum }]) => ({ label, score: sum / votes }));
}
