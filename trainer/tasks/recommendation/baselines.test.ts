import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../shared/random.ts';
import { itemKnn, popularityScores } from './baselines.ts';

/** Random users' training positives over `items` items. */
function randomTrain(users: number, items: number, seed: number): Int32Array[] {
  const random = mulberry32(seed);
  return Array.from({ length: users }, () =>
    Int32Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * items)),
  );
}

describe('popularityScores', () => {
  it('counts each item’s training positives', () => {
    expect(
      Array.from(popularityScores([Int32Array.of(0, 2), Int32Array.of(2), Int32Array.of(2, 3)], 5)),
    ).toEqual([1, 0, 3, 1, 0]);
  });
});

describe('itemKnn', () => {
  it('scores item j by the sum over the history of |U_i ∩ U_j| / sqrt(|U_i| |U_j|), as the dense formula', () => {
    const items = 12;
    const train = randomTrain(30, items, 7);
    // The user-item matrix and its column cosines, written out directly.
    const has = train.map((positives) =>
      Array.from({ length: items }, (_, i) => Number(positives.includes(i))),
    );
    const column = (i: number) => has.map((row) => row[i]);
    const cosine = (i: number, j: number) => {
      const a = column(i);
      const b = column(j);
      const both = a.reduce((s, v, u) => s + v * b[u], 0);
      const norms = Math.sqrt(a.reduce((s, v) => s + v, 0) * b.reduce((s, v) => s + v, 0));
      return norms === 0 ? 0 : both / norms;
    };
    const knn = itemKnn(train, items);
    for (const history of [Int32Array.of(0), Int32Array.of(3, 5, 3), Int32Array.of(1, 2, 4, 8, 11)]) {
      const expected = Array.from({ length: items }, (_, j) =>
        [...new Set(history)].reduce((sum, i) => sum + cosine(i, j), 0),
      );
      expect(Array.from(knn.scores(history))).toEqual(expected.map((v) => expect.closeTo(v, 10)));
    }
  });

  it('counts a user once per item however often they chose it', () => {
    const knn = itemKnn([Int32Array.of(0, 1, 1, 1)], 2);
    expect(Array.from(knn.scores([0]))).toEqual([1, 1]);
  });

  it('gives items nobody chose a zero score', () => {
    expect(Array.from(itemKnn([Int32Array.of(0, 1)], 3).scores([0]))).toEqual([1, 1, 0]);
  });
});
