import { z } from 'zod';
import { openVecDatabase } from '../../../../shared/db/better-sqlite.ts';
import { vecTableName } from '../../../../shared/db/index-schema.ts';
import { recentDistinct, type UserTower, userVector } from '../../../../shared/recs/user-vector.ts';
import type { Scores } from '../../../registry/schema.ts';
import { type RankingCase, rankingMetrics } from '../evaluate.ts';
import { itemScores } from '../scoring.ts';

/**
 * A recommendation model as the edge serves it: the item vectors stored in its index.db, the user tower
 * the edge applies to them (shared/recs/user-vector.ts), and the user histories shipped with it.
 */
export interface ServedRecsModel {
  vectors: ReadonlyMap<string, Float32Array>;
  /** Each shipped user's positive items, oldest first. */
  positives: ReadonlyMap<string, readonly string[]>;
  tower: UserTower;
  recentItems: number;
}

/** Below any cosine: an item the model does not have is never recommended by it. */
const UNKNOWN_ITEM_SCORE = -2;

const VectorRowSchema = z.object({ id: z.string(), embedding: z.instanceof(Buffer) });
const HistoryRowSchema = z.object({ user_id: z.string(), positives: z.string() });
const IdsSchema = z.array(z.string());

/** Reads a collection's vectors and shipped histories from an index.db (read-only). */
export function readServedRecsModel(
  indexPath: string,
  collection: string,
  pooling: Pick<ServedRecsModel, 'tower' | 'recentItems'>,
): ServedRecsModel {
  const db = openVecDatabase(indexPath, { readonly: true });
  try {
    const found = db.prepare('SELECT id FROM collections WHERE name = ?').get(collection) as
      | { id: number }
      | undefined;
    if (!found) throw new Error(`${indexPath} has no collection "${collection}"`);
    const vectors = new Map<string, Float32Array>();
    const rows = db
      .prepare(
        `SELECT items.external_id AS id, v.embedding AS embedding FROM items
         JOIN ${vecTableName(found.id)} AS v ON v.rowid = items.id WHERE items.collection_id = ?`,
      )
      .all(found.id);
    for (const raw of rows) {
      const { id, embedding } = VectorRowSchema.parse(raw);
      // A copy: the buffer belongs to SQLite's row.
      vectors.set(
        id,
        new Float32Array(
          embedding.buffer.slice(embedding.byteOffset, embedding.byteOffset + embedding.byteLength),
        ),
      );
    }
    const positives = new Map<string, string[]>();
    for (const raw of db
      .prepare('SELECT user_id, positives FROM user_histories WHERE collection_id = ?')
      .all(found.id)) {
      const row = HistoryRowSchema.parse(raw);
      positives.set(row.user_id, IdsSchema.parse(JSON.parse(row.positives)));
    }
    return { vectors, positives, ...pooling };
  } finally {
    db.close();
  }
}

/**
 * Full-ranking metrics of the served model on `cases`, whose items are rows of `catalogue` (external
 * ids): each user vector pools the case's history as the edge would, and every catalogue item is scored
 * by its cosine. Items the model does not have rank last, and are left out of the pooling.
 */
export function servedRankingMetrics(
  model: ServedRecsModel,
  cases: readonly RankingCase[],
  catalogue: readonly string[],
): Scores {
  const { dim } = model.tower;
  const items = new Float32Array(catalogue.length * dim);
  const known = catalogue.map((id, row) => {
    const vector = model.vectors.get(id);
    if (vector) items.set(vector, row * dim);
    return vector !== undefined;
  });
  const vectorOf = (row: number) => items.subarray(row * dim, (row + 1) * dim);
  return rankingMetrics(
    cases,
    (i) => {
      const pooled = recentDistinct(
        Array.from(cases[i].history).filter((row) => known[row]),
        model.recentItems,
      );
      const scores =
        pooled.length === 0
          ? new Float32Array(catalogue.length)
          : itemScores(items, userVector(pooled.map(vectorOf), model.tower), dim);
      known.forEach((has, row) => {
        if (!has) scores[row] = UNKNOWN_ITEM_SCORE;
      });
      return scores;
    },
    catalogue.length,
  );
}
