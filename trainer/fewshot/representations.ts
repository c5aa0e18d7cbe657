import { l2Normalize } from '../../shared/vector.ts';

/** Unit rows of some items in one representation (model embeddings, raw pixels, TF-IDF, ...). */
export interface Rows {
  data: Float32Array;
  dim: number;
}

export interface Representation {
  name: string;
  rows(items: readonly number[]): Rows;
}

/** Items already as dense vectors (row-major, `dim` each), normalised when picked. */
export function denseRepresentation(name: string, data: Float32Array, dim: number): Representation {
  return {
    name,
    rows(items) {
      const out = new Float32Array(items.length * dim);
      items.forEach((item, i) => out.set(l2Normalize(data.subarray(item * dim, (item + 1) * dim)), i * dim));
      return { data: out, dim };
    },
  };
}

/** What turns a text into a sparse unit vector (term -> weight): a fitted TF-IDF model, for one. */
export interface SparseVectorizer {
  transform(text: string): Map<number, number>;
}

/**
 * TF-IDF vectors (sparse, unit) made dense over the terms the picked items use: an episode's hundred-odd
 * texts share a few thousand terms where the vocabulary has hundreds of thousands, and cosines are the same.
 */
export function tfidfRepresentation(
  name: string,
  model: SparseVectorizer,
  texts: readonly string[],
): Representation {
  const cache = new Map<number, Map<number, number>>();
  const vectorOf = (item: number) => {
    let vector = cache.get(item);
    if (!vector) cache.set(item, (vector = model.transform(texts[item])));
    return vector;
  };
  return {
    name,
    rows(items) {
      const column = new Map<number, number>();
      for (const item of items)
        for (const term of vectorOf(item).keys()) if (!column.has(term)) column.set(term, column.size);
      const dim = Math.max(1, column.size);
      const out = new Float32Array(items.length * dim);
      items.forEach((item, i) => {
        for (const [term, weight] of vectorOf(item)) out[i * dim + column.get(term)!] = weight;
      });
      return { data: out, dim };
    },
  };
}
