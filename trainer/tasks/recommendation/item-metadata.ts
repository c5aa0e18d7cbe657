import { MAX_METADATA_COLUMNS, type MetadataColumn } from '../../../shared/db/index-schema.ts';
import type { CatalogItem } from './items.ts';

/**
 * What the index stores about each item, and which of it searches and recommendations can filter on
 * (vec0 metadata columns, exact inside the KNN): the year, and one boolean per category for the most
 * common categories. vec0 takes 16 such columns, so a catalogue with more than 15 categories keeps the
 * rarer ones in `categories` only.
 */
export interface ItemMetadata {
  columns: MetadataColumn[];
  metadataOf(item: CatalogItem): Record<string, unknown>;
}

export function itemMetadata(items: readonly CatalogItem[]): ItemMetadata {
  const counts = new Map<string, number>();
  for (const item of items) for (const c of item.categories) counts.set(c, (counts.get(c) ?? 0) + 1);
  const common = [...counts]
    .filter(([category]) => categoryField(category) !== undefined)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_METADATA_COLUMNS - 1)
    .map(([category]) => category);
  return {
    columns: [
      { name: 'year', type: 'integer' },
      ...common.map((category) => ({ name: categoryField(category)!, type: 'boolean' as const })),
    ],
    metadataOf: (item) => ({
      title: item.title,
      categories: item.categories,
      // vec0 columns hold no NULL: 0 stands for a title without a year.
      year: item.year ?? 0,
      ...Object.fromEntries(
        common.map((category) => [categoryField(category), item.categories.includes(category)]),
      ),
    }),
  };
}

/** A category as a field name: "Sci-Fi" -> "sci_fi"; undefined when nothing is left or it would clash. */
export function categoryField(category: string): string | undefined {
  const name = category
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return name === '' || /^\d/.test(name) || ['title', 'categories', 'year', 'distance', 'k'].includes(name)
    ? undefined
    : name;
}
