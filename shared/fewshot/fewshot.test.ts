import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calibrateOpenSet,
  classPrototypes,
  decide,
  type LabelledVector,
  leaveOneOutScores,
  nearestExamples,
  rankByPrototype,
  thresholdFromScores,
  voteOfNeighbours,
} from './index.ts';

const unit = (values: number[]) => {
  const length = Math.hypot(...values);
  return Float32Array.from(values, (v) => (length === 0 ? 0 : v / length));
};
const at = (degrees: number) =>
  unit([Math.cos((degrees * Math.PI) / 180), Math.sin((degrees * Math.PI) / 180)]);
const cosine = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += a[d] * b[d];
  return sum;
};

/**
 * Rankings agree up to rounding: the same scores in order, and the chosen class scores the best (classes
 * tied in exact arithmetic may come out in either order after float rounding).
 */
function expectSameRanking(
  ranking: { label: string; score: number }[],
  reference: { label: string; score: number }[],
) {
  expect(ranking.map((r) => r.label).sort()).toEqual(reference.map((r) => r.label).sort());
  ranking.forEach((r, i) => expect(r.score).toBeCloseTo(reference[i].score, 5));
  const chosen = reference.find((r) => r.label === ranking[0].label)!;
  expect(chosen.score).toBeCloseTo(reference[0].score, 5);
}

/** Nearest prototype from the definition: per label, the normalised mean of normalised vectors; best cosine. */
function referencePrototype(query: Float32Array, examples: LabelledVector[]) {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const scored = labels.map((label) => {
    const members = examples.filter((e) => e.label === label);
    const mean = Array.from(query, (_, d) => members.reduce((s, e) => s + e.vector[d], 0) / members.length);
    return { label, score: cosine(query, unit(mean)) };
  });
  return scored.sort((a, b) => b.score - a.score || (a.label < b.label ? -1 : 1));
}

/** kNN vote from the definition: an example is among the k nearest when fewer than k others beat it. */
function referenceKnn(query: Float32Array, examples: LabelledVector[], k: number) {
  const similarity = examples.map((e) => cosine(query, e.vector));
  const beats = (j: number, i: number) =>
    similarity[j] > similarity[i] || (similarity[j] === similarity[i] && j < i);
  const voters = examples.filter((_, i) => examples.filter((__, j) => beats(j, i)).length < k);
  const labels = [...new Set(voters.map((e) => e.label))];
  const tally = labels.map((label) => {
    const mine = voters.filter((e) => e.label === label).map((e) => cosine(query, e.vector));
    return { label, votes: mine.length, sum: mine.reduce((a, b) => a + b, 0) };
  });
  tally.sort((a, b) => b.votes - a.votes || b.sum - a.sum || (a.label < b.label ? -1 : 1));
  return tally.map((t) => ({ label: t.label, score: t.sum / t.votes }));
}

const vectors = fc
  .array(fc.integer({ min: -3, max: 3 }), { minLength: 3, maxLength: 3 })
  .filter((v) => v.some((x) => x !== 0))
  .map(unit);
const examplesArb = fc.array(fc.record({ vector: vectors, label: fc.constantFrom('cat', 'dog', 'eel') }), {
  minLength: 2,
  maxLength: 20,
});

describe('few-shot classifiers', () => {
  it('nearest prototype agrees with the definition on random examples', () => {
    fc.assert(
      fc.property(examplesArb, vectors, (examples, query) => {
        expectSameRanking(
          rankByPrototype(query, classPrototypes(examples)),
          referencePrototype(query, examples),
        );
      }),
    );
  });

  it('the kNN vote agrees with the definition on random examples', () => {
    fc.assert(
      fc.property(examplesArb, vectors, fc.integer({ min: 1, max: 7 }), (examples, query, k) => {
        const ranking = voteOfNeighbours(nearestExamples(query, examples, k));
        const reference = referenceKnn(query, examples, k);
        expectSameRanking(ranking, reference);
      }),
    );
  });

  it('answers the best class, the runner-up and unknown below the threshold', () => {
    const examples = [
      { vector: at(0), label: 'east' },
      { vector: at(10), label: 'east' },
      { vector: at(90), label: 'north' },
    ];
    const ranking = rankByPrototype(at(20), classPrototypes(examples));
    // East's prototype is at 5 degrees: cos 15 = 0.9659; north at 90: cos 70 = 0.3420.
    expect(decide(ranking, null)).toMatchObject({ label: 'east', unknown: false });
    expect(decide(ranking, null).score).toBeCloseTo(Math.cos((15 * Math.PI) / 180), 6);
    expect(decide(ranking, null).runnerUp?.score).toBeCloseTo(Math.cos((70 * Math.PI) / 180), 6);
    expect(decide(ranking, 0.97).unknown).toBe(true);
    // A vote of one class has no runner-up.
    expect(decide(voteOfNeighbours(nearestExamples(at(5), examples, 2)), null).runnerUp).toBeNull();
  });

  /**
   * a at 0 and 30 degrees, b at 90 and 150, c (one example) at 270. Leaving each out:
   *   a0:   own a30 cos 30 = 0.866 (prototype b at 120: -0.5, c: 0)             -> 0.866
   *   a30:  own a0 0.866                                                          -> 0.866
   *   b90:  own b150 cos 60 = 0.5; prototype a at 15: cos 75 = 0.259; 1-NN: a30 and b150 tie at 0.5,
   *         the earlier example (a30) votes                                       -> 0.5
   *   b150: own b90 0.5                                                           -> 0.5
   *   c270: its class's only example, not scored.
   */
  const circle = [
    { vector: at(0), label: 'a' },
    { vector: at(30), label: 'a' },
    { vector: at(90), label: 'b' },
    { vector: at(150), label: 'b' },
    { vector: at(270), label: 'c' },
  ];
  const cos30 = Math.cos(Math.PI / 6);

  it('leave-one-out scores by hand, for both methods', () => {
    for (const method of ['prototype', 'knn'] as const) {
      const scores = leaveOneOutScores(circle, method, 1);
      expect(scores).toHaveLength(4);
      [cos30, cos30, 0.5, 0.5].forEach((expected, i) => expect(scores[i]).toBeCloseTo(expected, 6));
    }
  });

  it('calibrates the open-set threshold at the accept rate', () => {
    // 4 scores: accepting 95% keeps the lowest (floor(4 x 0.05) = 0); accepting half keeps the top two.
    expect(calibrateOpenSet(circle, 'prototype')).toBeCloseTo(0.5, 6);
    expect(calibrateOpenSet(circle, 'knn', 1, 0.5)).toBeCloseTo(cos30, 6);
    expect(thresholdFromScores([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 0.8)).toBe(0.3);
    expect(
      thresholdFromScores(
        Array.from({ length: 20 }, (_, i) => i),
        0.95,
      ),
    ).toBe(1);
    // No class with two examples: nothing to calibrate on.
    expect(calibrateOpenSet(circle.slice(1, 3), 'prototype')).toBeNull();
    expect(() => thresholdFromScores([1], 0)).toThrow(/accept rate/);
  });
});
