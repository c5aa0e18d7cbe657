import { describe, expect, it } from 'vitest';
import { recommendationMetrics } from './recommendation.ts';

/**
 * Six items. User A is judged on scores: item 0 was seen, items 4 and 5 are held out. Unseen ranking
 * by score, ties by smaller id: 2 (0.8), 4 (0.8), 3, 5, 1 -> held-out ranks 2 and 4.
 * User B gives a ranking 3 1 0 2 with 3 seen: unseen ranking 1 0 2, held-out 1 at rank 1.
 * User C has nothing held out and is skipped.
 */
const users = [
  { scores: [0.9, 0.1, 0.8, 0.3, 0.8, 0.2], exclude: [0], heldOut: [4, 5] },
  { ranking: [3, 1, 0, 2], exclude: [3], heldOut: [1] },
  { scores: [1, 1, 1, 1, 1, 1], heldOut: [] },
];

describe('recommendationMetrics', () => {
  it('matches hand-computed HR, recall, NDCG, MRR and coverage', () => {
    const { users: judged, scores } = recommendationMetrics({ users, catalogueSize: 6, ks: [3, 1] });
    expect(judged).toBe(2);
    const ndcgA3 = 1 / Math.log2(3) / (1 + 1 / Math.log2(3)); // hit at rank 2; ideal ranks 1 and 2
    const expected = {
      hr_at_1: 0.5,
      recall_at_1: 0.5,
      ndcg_at_1: 0.5,
      hr_at_3: 1,
      recall_at_3: (1 / 2 + 1) / 2,
      ndcg_at_3: (ndcgA3 + 1) / 2,
      mrr: (1 / 2 + 1) / 2,
      coverage_at_1: 2 / 6, // items 2 and 1
      coverage_at_3: 5 / 6, // items 2 4 3 and 1 0 2
    };
    expect(Object.keys(scores).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, value] of Object.entries(expected)) expect(scores[name], name).toBeCloseTo(value, 14);
  });

  it('ranks a held-out item below every unseen item with a higher score, whatever K', () => {
    const { scores } = recommendationMetrics({
      users: [{ scores: [5, 4, 3, 2, 1, 0], heldOut: [5], exclude: [1] }],
      catalogueSize: 6,
      ks: [2],
    });
    expect(scores.mrr).toBeCloseTo(1 / 5, 14);
    expect(scores.hr_at_2).toBe(0);
  });

  it('scores a held-out item missing from a given ranking as not found', () => {
    const { scores } = recommendationMetrics({
      users: [{ ranking: [0, 1], heldOut: [2] }],
      catalogueSize: 3,
      ks: [1],
    });
    expect(scores.mrr).toBe(0);
    expect(scores.recall_at_1).toBe(0);
  });

  it('rejects item ids outside the catalogue and score arrays of the wrong length', () => {
    expect(() =>
      recommendationMetrics({ users: [{ ranking: [0], heldOut: [7] }], catalogueSize: 3, ks: [1] }),
    ).toThrow(/heldOut/);
    expect(() =>
      recommendationMetrics({ users: [{ scores: [1, 2], heldOut: [0] }], catalogueSize: 3, ks: [1] }),
    ).toThrow(/2 scores for 3 items/);
  });
});
