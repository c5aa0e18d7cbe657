import { openVecDatabase } from '../../../shared/db/better-sqlite.ts';
import type { RecsDataset } from './dataset.ts';

export interface ShippedHistory {
  user: string;
  /** Positive items (external ids), oldest first. */
  positives: string[];
  /** Every item the user interacted with. */
  seen: string[];
}

/**
 * Each user's whole history in the data, not only the training part: the edge recommends for them from
 * everything known (held-out items were for judging the model, not for hiding from it).
 */
export function shippedHistories(dataset: RecsDataset): ShippedHistory[] {
  const idOf = (row: number) => dataset.items[row].id;
  return dataset.users.map((history) => ({
    user: history.id,
    positives: Array.from(
      history.items.filter((_, i) => history.positive[i] === 1),
      idOf,
    ),
    seen: Array.from(history.items, idOf),
  }));
}

/**
 * Writes histories into the user_histories table (migrations/0002) of a built index database, in one
 * transaction, for the collection named.
 */
export function writeShippedHistories(
  path: string,
  collection: string,
  histories: readonly ShippedHistory[],
): void {
  const db = openVecDatabase(path, { readonly: false });
  try {
    const row = db.prepare('SELECT id FROM collections WHERE name = ?').get(collection) as
      | { id: number }
      | undefined;
    if (!row) throw new Error(`${path} has no collection "${collection}"`);
    const insert = db.prepare(
      'INSERT INTO user_histories (collection_id, user_id, positives, seen) VALUES (?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const h of histories) {
        insert.run(row.id, h.user, JSON.stringify(h.positives), JSON.stringify(h.seen));
      }
    })();
  } finally {
    db.close();
  }
}
