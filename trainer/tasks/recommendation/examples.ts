import { recencyWeights, recentDistinct } from '../../../shared/recs/user-vector.ts';

/** How a user is pooled from their items (the model config's fields of the same names). */
export interface Pooling {
  /** The most recent distinct items pooled. */
  recentItems: number;
  /** Weight of each older item relative to the next newer one (1: a plain mean). */
  recencyDecay: number;
}

/** Users' recent items padded to `window` slots each, oldest first, with their pooling weights (0: padding). */
export interface PaddedHistories {
  window: number;
  /** [users * window] item rows. */
  rows: Int32Array;
  /** [users * window] recency weights (see shared/recs/user-vector.ts), 0 for padding. */
  weights: Float32Array;
}

/** The most recent distinct items of each history (given oldest first), padded. */
export function padHistories(histories: readonly ArrayLike<number>[], pooling: Pooling): PaddedHistories {
  const window = pooling.recentItems;
  const rows = new Int32Array(histories.length * window);
  const weights = new Float32Array(histories.length * window);
  histories.forEach((history, user) => {
    const recent = recentDistinct(history, window);
    rows.set(recent, user * window);
    weights.set(recencyWeights(recent.length, pooling.recencyDecay), user * window);
  });
  return { window, rows, weights };
}

/**
 * Next-item examples: at every position t > 0 of a user's training positives, the user is their recent
 * items before t and the item at t is the positive.
 */
export interface NextItemExamples {
  count: number;
  histories: PaddedHistories;
  /** [count] the positive item of each example. */
  targets: Int32Array;
}

export function nextItemExamples(train: readonly Int32Array[], pooling: Pooling): NextItemExamples {
  const histories: Int32Array[] = [];
  const targets: number[] = [];
  for (const positives of train) {
    for (let t = 1; t < positives.length; t++) {
      histories.push(positives.subarray(0, t));
      targets.push(positives[t]);
    }
  }
  return {
    count: targets.length,
    histories: padHistories(histories, pooling),
    targets: Int32Array.from(targets),
  };
}
