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

/**
 * A filterable metadata field: a vec0 metadata column beside the embedding, so a KNN query can filter on
 * it (`WHERE embedding MATCH ? AND k = ? AND class = ?`) and still return the exact top k among the
 * matching items. Declared when the collection is built; every item must then carry the field.
 */
export const METADATA_COLUMN_TYPES = ['integer', 'float', 'text', 'boolean'] as const;
/** vec0 0.1.9 allows at most 16 metadata columns per table. */
export const MAX_METADATA_COLUMNS = 16;
const RESERVED_COLUMNS = new Set(['rowid', 'embedding', 'distance', 'k']);

export const MetadataColumnSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'metadata column names are identifiers (letters, digits, _)')
      .refine((name) => !RESERVED_COLUMNS.has(name.toLowerCase()), 'this name is reserved by vec0'),
    type: z.enum(METADATA_COLUMN_TYPES),
  })
  .strict();
export type MetadataColumn = z.infer<typeof MetadataColumnSchema>;

export function createVecTableSql(
  collectionId: number,
  dims: number,
  metadata: readonly MetadataColumn[] = [],
): string {
  if (!Number.isSafeInteger(dims) || dims < 1)
    throw new Error(`dims must be a positive integer, got ${dims}`);
  if (metadata.length > MAX_METADATA_COLUMNS) {
    throw new Error(`at most ${MAX_METADATA_COLUMNS} filterable metadata fields, got ${metadata.length}`);
  }
  const columns = metadata.map((column) => {
    const { name, type } = MetadataColumnSchema.parse(column);
    return `, ${name} ${type}`;
  });
  return `CREATE VIRTUAL TABLE ${vecTableName(collectionId)} USING vec0(embedding float[${dims}] distance_metric=cosine${columns.join('')})`;
}

/** The metadata columns declared in a vec0 table's CREATE statement (as written by createVecTableSql). */
export function metadataColumnsOf(createSql: string): MetadataColumn[] {
  const body = /USING\s+vec0\((.*)\)\s*$/is.exec(createSql)?.[1];
  if (body === undefined) throw new Error(`not a vec0 table: ${createSql}`);
  return body
    .split(',')
    .slice(1)
    .map((part) => part.trim().split(/\s+/))
    .map(([name, type]) => MetadataColumnSchema.parse({ name, type: type?.toLowerCase() }));
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

/** A collection as searches describe it (edge/ports.ts CollectionInfo): its row and its filterable columns. */
export function collectionInfoOf(row: CollectionRow, columns: MetadataColumn[]) {
  return {
    name: row.name,
    model: row.model_name,
    modelVersion: row.model_version,
    dims: row.dims,
    distance: row.distance,
    items: row.items,
    ...(row.description === null ? {} : { description: row.description }),
    ...(columns.length > 0 ? { filterable: columns } : {}),
  };
}

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
