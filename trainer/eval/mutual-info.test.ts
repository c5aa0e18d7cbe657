import { describe, expect, it } from 'vitest';
import { ami, expectedMutualInformation, nmi } from './mutual-info.ts';

/** The known partitions of scikit-learn's test_supervised.py::test_adjusted_mutual_info_score. */
const sklearnA = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3];
const sklearnB = [1, 1, 1, 1, 2, 1, 2, 2, 2, 2, 3, 1, 3, 3, 3, 2, 2];

/** MI (nats) of two labelings, straight from the definition. */
function mutualInformationByHand(x: number[], y: number[]): number {
  const n = x.length;
  const count = (pred: (i: number) => boolean) => x.filter((_, i) => pred(i)).length;
  let mi = 0;
  for (const a of new Set(x)) {
    for (const b of new Set(y)) {
      const nab = count((i) => x[i] === a && y[i] === b);
      if (nab === 0) continue;
      const na = count((i) => x[i] === a);
      const nb = count((i) => y[i] === b);
      mi += (nab / n) * Math.log((n * nab) / (na * nb));
    }
  }
  return mi;
}

const entropyByHand = (x: number[]) =>
  -[...new Set(x)].reduce((h, a) => {
    const p = x.filter((v) => v === a).length / x.length;
    return h + p * Math.log(p);
  }, 0);

function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('nmi / ami (scikit-learn, average_method=arithmetic)', () => {
  it("reproduces scikit-learn's documented values", () => {
    // sklearn asserts MI 0.41022, EMI 0.15042 and AMI 0.27821 to 5 decimals, and AMI 0.38 on 110 copies.
    expect(expectedMutualInformation([6, 6, 5], [6, 7, 4], 17)).toBeCloseTo(0.15042, 5);
    expect(ami(sklearnA, sklearnB)).toBeCloseTo(0.27821, 5);
    expect(
      ami(sklearnA.concat(...Array(109).fill(sklearnA)), sklearnB.concat(...Array(109).fill(sklearnB))),
    ).toBeCloseTo(0.38, 2);
    expect(ami([1, 1, 2, 2], [2, 2, 3, 3])).toBeCloseTo(1, 12);
  });

  it('normalises MI by the mean of the two entropies', () => {
    for (const [x, y] of [
      [sklearnA, sklearnB],
      [
        [0, 0, 1, 1],
        [0, 0, 0, 1],
      ],
    ]) {
      const expected = mutualInformationByHand(x, y) / ((entropyByHand(x) + entropyByHand(y)) / 2);
      expect(nmi(x, y)).toBeCloseTo(expected, 12);
      expect(nmi(y, x)).toBeCloseTo(expected, 12);
    }
  });

  it('adjusts for chance with the exact expectation over all relabelings', () => {
    // E[MI] is the mean MI over every permutation of the predicted labels (720 of them here).
    const truth = [0, 0, 0, 1, 1, 2];
    const predicted = [0, 0, 1, 1, 2, 2];
    const all = permutations(predicted);
    const emi = all.reduce((s, p) => s + mutualInformationByHand(truth, p), 0) / all.length;
    const mean = (entropyByHand(truth) + entropyByHand(predicted)) / 2;
    expect(ami(truth, predicted)).toBeCloseTo(
      (mutualInformationByHand(truth, predicted) - emi) / (mean - emi),
      12,
    );
  });

  it('gives 1 for identical partitions under any renaming, and for two single-cluster labelings', () => {
    expect(nmi([0, 0, 1, 1, 2], [5, 5, 3, 3, 9])).toBeCloseTo(1, 12);
    expect(ami([0, 0, 1, 1, 2], [5, 5, 3, 3, 9])).toBeCloseTo(1, 12);
    expect(nmi([4, 4, 4], [1, 1, 1])).toBe(1);
    expect(ami([4, 4, 4], [1, 1, 1])).toBe(1);
    expect(nmi([], [])).toBe(1);
  });

  it('gives 0 when one side carries no information (sklearn test_exactly_zero_info_score)', () => {
    const ones = Array(100).fill(1);
    const distinct = Array.from({ length: 100 }, (_, i) => i);
    expect(nmi(ones, distinct)).toBe(0);
    expect(ami(ones, distinct)).toBeCloseTo(0, 12);
  });

  it('rejects labelings of different lengths', () => {
    expect(() => nmi([0, 1], [0])).toThrow(/length/);
  });
});
