import { describe, expect, it } from 'vitest';
import { MAX_METADATA_COLUMNS } from '../../../shared/db/index-schema.ts';
import { categoryField, itemMetadata } from './item-metadata.ts';
import type { CatalogItem } from './items.ts';

const item = (id: string, categories: string[], year: number | null = 2000): CatalogItem => ({
  id,
  title: `Film ${id}`,
  categories,
  year,
});

describe('itemMetadata', () => {
  it('makes the year and every category filterable, with each item carrying every field', () => {
    const metadata = itemMetadata([item('1', ['Sci-Fi', 'Drama']), item('2', ['Drama'], null)]);
    expect(metadata.columns).toEqual([
      { name: 'year', type: 'integer' },
      { name: 'drama', type: 'boolean' },
      { name: 'sci_fi', type: 'boolean' },
    ]);
    expect(metadata.metadataOf(item('2', ['Drama'], null))).toEqual({
      title: 'Film 2',
      categories: ['Drama'],
      year: 0,
      drama: true,
      sci_fi: false,
    });
  });

  it('keeps vec0 within its 16 columns: the year and the 15 most common categories', () => {
    const items = Array.from({ length: 20 }, (_, c) =>
      Array.from({ length: c + 1 }, (_, n) => item(`${c}-${n}`, [`Genre ${String.fromCharCode(65 + c)}`])),
    ).flat();
    const { columns } = itemMetadata(items);
    expect(columns).toHaveLength(MAX_METADATA_COLUMNS);
    expect(columns[1]).toEqual({ name: 'genre_t', type: 'boolean' });
    expect(columns.map((c) => c.name)).not.toContain('genre_a');
  });
});

describe('categoryField', () => {
  it('turns a category into an identifier, or refuses one that would be empty or clash', () => {
    expect(categoryField('Film-Noir')).toBe('film_noir');
    expect(categoryField('(no genres listed)')).toBe('no_genres_listed');
    expect(categoryField('IMAX')).toBe('imax');
    for (const name of ['---', '3D', 'Year', 'k']) expect(categoryField(name)).toBeUndefined();
  });
});
