import { checkFinite } from './ranks.ts';
import { TopK } from './top-k.ts';

/**
 * One user's evaluation case. Give either `scores` (one per catalogue item, higher = recommend first) or a
 * `ranking` (item ids, best first). `heldOut` are the unseen items the user really chose; `exclude` are
 * items already seen in training, removed from the ranking before it is judged.
 */
export type UserCase =
  | { scores: ArrayLike<number>; heldOut: ArrayLike<number>; exclude?: ArrayLike<number> }
  | { ranking: ArrayLike<number>; heldOut: ArrayLike<number>; exclude?: ArrayLike<number> };

export interface RecommendationInput {
  users: Iterable<UserCase>;
  /** Number of items; ids are 0 .. catalogueSize-1. */
  catalogueSize: number;
  ks: readonly number[];
}

export interface RecommendationMetrics {
  /** Users judged (those with at least one held-out item). */
  users: number;
  /** Metric name (hr_at_K, ndcg_at_K, recall_at_K, mrr, coverage_at_K) to value. */
  scores: Record<string, number>;
}

/**
 * Top-K recommendation metrics over a full ranking of every item the user has not seen (no sampled
 * negatives, which overstate quality: Krichene and Rendle, 2020). With binary relevance:
 * - hr_at_K: 1 when any held-out item is in the top K;
 * - recall_at_K: held-out items in the top K / held-out items;
 * - ndcg_at_K: sum over held-out items at rank r <= K of 1/log2(r+1), over the same sum for an ideal
 *   ranking, i.e. over ranks 1..min(K, held-out items);
 * - mrr: 1 / rank of the best-ranked held-out item (full ranking, no cut-off; 0 if it is absent from a
 *   given ranking);
 * - coverage_at_K: distinct items shown in anyone's top K / catalogue size.
 * User metrics are averaged over users with at least one held-out item; others are skipped. With scores,
 * ties are ranked by the smaller item id.
 */
export function recommendationMetrics(input: RecommendationInput): RecommendationMetrics {
  const { catalogueSize } = input;
  const ks = [...new Set(input.ks)].sort((a, b) => a - b);
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1))
    throw new Error('ks must be positive integers');
  if (!Number.isInteger(catalogueSize) || catalogueSize < 1)
    throw new Error('catalogueSize must be a positive integer');
  const maxK = ks[ks.length - 1];
  const totals = new Map<string, number>();
  const add = (name: string, value: number) => totals.set(name, (totals.get(name) ?? 0) + value);
  const shown = ks.map(() => new Uint8Array(catalogueSize));
  let users = 0;

  for (const user of input.users) {
    const heldOut = new Set(checkedItems(user.heldOut, catalogueSize, 'heldOut'));
    const excluded = new Set(checkedItems(user.exclude ?? [], catalogueSize, 'exclude'));
    for (const item of heldOut) excluded.delete(item); // a held-out item is never "seen"
    if (heldOut.size === 0) continue;
    users++;
    const { top, bestHeldOutRank } =
      'scores' in user
        ? rankByScores(user.scores, catalogueSize, excluded, heldOut, maxK)
        : rankFromList(user.ranking, catalogueSize, excluded, heldOut, maxK);
    add('mrr', bestHeldOutRank > 0 ? 1 / bestHeldOutRank : 0);
    ks.forEach((k, i) => {
      let hits = 0;
      let dcg = 0;
      top.slice(0, k).forEach((item, position) => {
        shown[i][item] = 1;
        if (!heldOut.has(item)) return;
        hits++;
        dcg += 1 / Math.log2(position + 2);
      });
      let idealDcg = 0;
      for (let position = 0; position < Math.min(k, heldOut.size); position++)
        idealDcg += 1 / Math.log2(position + 2);
      add(`hr_at_${k}`, hits > 0 ? 1 : 0);
      add(`recall_at_${k}`, hits / heldOut.size);
      add(`ndcg_at_${k}`, dcg / idealDcg);
    });
  }

  const scores: Record<string, number> = {};
  for (const k of ks) {
    for (const name of [`hr_at_${k}`, `ndcg_at_${k}`, `recall_at_${k}`])
      scores[name] = users > 0 ? (totals.get(name) ?? 0) / users : 0;
  }
  scores.mrr = users > 0 ? (totals.get('mrr') ?? 0) / users : 0;
  ks.forEach((k, i) => {
    scores[`coverage_at_${k}`] = shown[i].reduce((n, s) => n + s, 0) / catalogueSize;
  });
  return { users, scores };
}

interface Ranked {
  /** The first maxK unseen items, best first. */
  top: number[];
  /** 1-based rank of the best held-out item among unseen items; 0 when it is not ranked. */
  bestHeldOutRank: number;
}

function rankByScores(
  scores: ArrayLike<number>,
  catalogueSize: number,
  excluded: Set<number>,
  heldOut: Set<number>,
  maxK: number,
): Ranked {
  if (scores.length !== catalogueSize) throw new Error(`${scores.length} scores for ${catalogueSize} items`);
  checkFinite(scores, 'scores');
  const before = (a: number, b: number) => scores[a] > scores[b] || (scores[a] === scores[b] && a < b);
  let best = -1;
  for (const item of heldOut) if (best < 0 || before(item, best)) best = item;
  let ahead = 0;
  const heap = new TopK(maxK);
  for (let item = 0; item < catalogueSize; item++) {
    if (excluded.has(item)) continue;
    if (before(item, best)) ahead++;
    heap.offer(-scores[item], item); // smallest key first = highest score, ties by smaller id
  }
  const keys = new Float64Array(maxK);
  const items = new Int32Array(maxK);
  const count = heap.drainSorted(keys, items);
  return { top: Array.from(items.subarray(0, count)), bestHeldOutRank: ahead + 1 };
}

function rankFromList(
  ranking: ArrayLike<number>,
  catalogueSize: number,
  excluded: Set<number>,
  heldOut: Set<number>,
  maxK: number,
): Ranked {
  const unseen = checkedItems(ranking, catalogueSize, 'ranking').filter((item) => !excluded.has(item));
  const firstHit = unseen.findIndex((item) => heldOut.has(item));
  return { top: unseen.slice(0, maxK), bestHeldOutRank: firstHit + 1 };
}

function checkedItems(items: ArrayLike<number>, catalogueSize: number, what: string): number[] {
  return Array.from(items, (item, i) => {
    if (!Number.isInteger(item) || item < 0 || item >= catalogueSize) {
      throw new Error(`${what}[${i}] = ${item} is not an item id in [0, ${catalogueSize})`);
    }
    return item;
  });
}
