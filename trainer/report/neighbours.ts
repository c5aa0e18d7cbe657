import { mulberry32, randomInt, shuffled } from '../../shared/random.ts';
import { type KnnDistance, knn } from '../eval/knn.ts';
import { type EmbeddingMatrix, selectRows } from '../eval/matrix.ts';

export interface NeighbourExample {
  query: number;
  /** Nearest other items, nearest first, with whether each shares the query's class. */
  neighbours: { item: number; distance: number; sameClass: boolean }[];
}

/**
 * A few queries with their nearest test items: one query from each of up to `count` classes (seeded
 * choice of classes and items; classes with a second item first, since a lone item cannot be right).
 */
export function neighbourExamples(
  embeddings: EmbeddingMatrix,
  labels: readonly number[],
  options: { count: number; perQuery: number; distance: KnnDistance; seed: number },
): NeighbourExample[] {
  const random = mulberry32(options.seed);
  const itemsByClass = new Map<number, number[]>();
  labels.forEach((label, item) => {
    const items = itemsByClass.get(label) ?? [];
    items.push(item);
    itemsByClass.set(label, items);
  });
  const hasPartner = (label: number) => itemsByClass.get(label)!.length > 1;
  // A seeded order of the classes, those with a second item first (a lone item has no right answer).
  const classes = shuffled(
    [...itemsByClass.keys()].sort((a, b) => a - b),
    random,
  ).sort((a, b) => Number(hasPartner(b)) - Number(hasPartner(a)));
  const queries = classes.slice(0, options.count).map((label) => {
    const items = itemsByClass.get(label)!;
    return items[randomInt(random, items.length)];
  });
  if (queries.length === 0) return [];
  // One extra neighbour, because each query finds itself among the references.
  const result = knn({
    query: selectRows(embeddings, queries),
    reference: embeddings,
    k: options.perQuery + 1,
    distance: options.distance,
  });
  return queries.map((query, q) => {
    const row = Array.from({ length: result.k }, (_, n) => ({
      item: result.indices[q * result.k + n],
      distance: result.distances[q * result.k + n],
    }));
    return {
      query,
      neighbours: row
        .filter((neighbour) => neighbour.item !== query)
        .slice(0, options.perQuery)
        .map((neighbour) => ({ ...neighbour, sameClass: labels[neighbour.item] === labels[query] })),
    };
  });
}
