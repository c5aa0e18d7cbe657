import { z } from 'zod';

/**
 * The parts of the index schema (migrations/0001_index.sql) that code shares: the per-collection vec0
 * table and the collection rows. Plain functions, so the Node builder, the Node adapter and a Workers
 * reader agree on them.
 */

/** vec0 tables are named from the collection's integer id, never from user text. */
export function vecTableName(collectionId: number): string {
  if (!Number.isSafeInteger(collectionId) || collectionId < 1) {
    throw new Error(`collection ids are positive integers, got ${collectionId}`);
  }
  return `vec_${collectionId}`;
}

export function createVecTableSql(collectionId: number, dims: number): string {
  if (!Number.isSafeInteger(dims) || dims < 1)
    throw new Error(`dims must be a positive integer, got ${dims}`);
  return `CREATE VIRTUAL TABLE ${vecTableName(collectionId)} USING vec0(embedding float[${dims}] distance_metric=cosine)`;
}

export const CollectionRowSchema = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  description: z.string().nullable(),
  model_name: z.string(),
  model_version: z.string(),
  dims: z.number().int().positive(),
  distance: z.literal('cosine'),
  items: z.number().int().nonnegative(),
});
export type CollectionRow = z.infer<typeof CollectionRowSchema>;

export const SELECT_COLLECTIONS =
  'SELECT id, name, description, model_name, model_version, dims, distance, items FROM collections ORDER BY id';

/**
 * Why a vector cannot go into (or query) a cosine index, or undefined when it can: it needs the
 * collection's dims, finite values and a direction (vec0 yields no distance for a zero vector).
 */
export function vectorProblem(vector: unknown, dims: number): string | undefined {
  if (!(vector instanceof Float32Array)) return 'is not a Float32Array';
  if (vector.length !== dims) return `has ${vector.length} values, expected ${dims}`;
  let squaredNorm = 0;
  for (const value of vector) {
    if (!Number.isFinite(value)) return 'has a non-finite value';
    squaredNorm += value * value;
  }
  return squaredNorm === 0 ? 'is the zero vector' : undefined;
}
