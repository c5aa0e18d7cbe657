import type { CatalogItem } from './items.ts';

/**
 * What the content tower reads of an item: its title (with the year MovieLens puts in it), then its
 * categories. A client embedding a new item through the edge (/v1/embed with this model) writes the same.
 */
export function itemText(item: Pick<CatalogItem, 'title' | 'categories'>): string {
  return [item.title, ...item.categories].join(' | ');
}
