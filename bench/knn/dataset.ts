import { z } from 'zod';
import { openVecDatabase } from '../../shared/db/better-sqlite.ts';
import { CollectionRowSchema, SELECT_COLLECTIONS, vecTableName } from '../../shared/db/index-schema.ts';
import { mulberry32 } from '../../shared/random.ts';

/** Vectors to search, with what an index row carries besides them. Rows are unit vectors. */
export interface KnnDataset {
  /** "random" or "wordnet": which kind of data, for the tables. */
  kind: string;
  dim: number;
  count: number;
  /** Row-major [count * dim]. */
  vectors: Float32Array;
  /** External ids, as search results name rows. */
  ids: string[];
  texts: string[];
  metadata: Record<string, unknown>[];
  /** Each row's partition-key value (a category to filter by). */
  partitions: string[];
}

/** Seeded standard-normal vectors scaled to unit length: uniform on the sphere, the hardest case. */
export function randomUnitVectors(count: number, dim: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(count * dim);
  for (let row = 0; row < count; row++) {
    let squared = 0;
    for (let j = 0; j < dim; j++) {
      // Box-Muller; 1 - random() keeps the logarithm finite.
      const value = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      out[row * dim + j] = value;
      squared += value * value;
    }
    const scale = 1 / Math.sqrt(squared);
    for (let j = 0; j < dim; j++) out[row * dim + j] *= scale;
  }
  return out;
}

/** Partitions of the random data set: row i is in partition i mod this. */
export const RANDOM_PARTITIONS = 8;

export function randomDataset(count: number, dim: number, seed: number): KnnDataset {
  return {
    kind: 'random',
    dim,
    count,
    vectors: randomUnitVectors(count, dim, seed),
    ids: Array.from({ length: count }, (_, i) => String(i)),
    texts: Array.from({ length: count }, (_, i) => `random vector ${i}`),
    metadata: Array.from({ length: count }, () => ({})),
    partitions: Array.from({ length: count }, (_, i) => `p${i % RANDOM_PARTITIONS}`),
  };
}

const CatalogueRowSchema = z.object({
  id: z.string(),
  text: z.string(),
  metadata: z.string(),
  embedding: z.instanceof(Buffer),
});
const CatalogueMetadataSchema = z.looseObject({ lexname: z.string() });

/**
 * The WordNet catalogue as the published index.db holds it: the vectors read back out of the vec0 table,
 * with each item's id, text and metadata; partitions are WordNet lexicographer files (noun.animal, ...).
 */
export function readCatalogue(indexPath: string): KnnDataset {
  const db = openVecDatabase(indexPath, { readonly: true });
  try {
    const [collection] = z.array(CollectionRowSchema).parse(db.prepare(SELECT_COLLECTIONS).all());
    if (!collection) throw new Error(`${indexPath} has no collection`);
    const rows = z.array(CatalogueRowSchema).parse(
      db
        .prepare(
          `SELECT items.external_id AS id, items.text AS text, items.metadata AS metadata, vec.embedding AS embedding
           FROM items JOIN ${vecTableName(collection.id)} AS vec ON vec.rowid = items.id
           WHERE items.collection_id = ? ORDER BY items.id`,
        )
        .all(collection.id),
    );
    const dim = collection.dims;
    const vectors = new Float32Array(rows.length * dim);
    const metadata = rows.map((row, i) => {
      if (row.embedding.byteLength !== dim * 4)
        throw new Error(`${indexPath}: a vector is not ${dim} float32`);
      // Copied first: a Buffer from SQLite need not be 4-byte aligned.
      vectors.set(new Float32Array(new Uint8Array(row.embedding).buffer), i * dim);
      return CatalogueMetadataSchema.parse(JSON.parse(row.metadata));
    });
    return {
      kind: 'wordnet',
      dim,
      count: rows.length,
      vectors,
      ids: rows.map((row) => row.id),
      texts: rows.map((row) => row.text),
      metadata,
      partitions: metadata.map((m) => m.lexname),
    };
  } finally {
    db.close();
  }
}

/** The given rows in the given order (a seeded sample of the catalogue keeps every part of speech). */
export function takeRows(dataset: KnnDataset, rows: readonly number[]): KnnDataset {
  const { dim } = dataset;
  const vectors = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => vectors.set(dataset.vectors.subarray(row * dim, (row + 1) * dim), i * dim));
  return {
    ...dataset,
    count: rows.length,
    vectors,
    ids: rows.map((row) => dataset.ids[row]),
    texts: rows.map((row) => dataset.texts[row]),
    metadata: rows.map((row) => dataset.metadata[row]),
    partitions: rows.map((row) => dataset.partitions[row]),
  };
}

/** Rows whose text no earlier row has: a few WordNet synsets share lemmas and gloss. */
export function rowsWithUniqueText(dataset: KnnDataset): number[] {
  const firstRowOf = new Map<string, number>();
  dataset.texts.forEach((text, row) => {
    if (!firstRowOf.has(text)) firstRowOf.set(text, row);
  });
  return [...firstRowOf.values()];
}
