/**
 * What shards.test.ts asks of the flat and sharded models, and the Node server in shard-fixtures.ts too.
 * Kept apart from shard-fixtures.ts, which imports Node-only modules the workerd test must not load.
 */

export const SHARD_COUNT = 5;
export const CATALOGUE_ITEMS = 1500;

export const SHARD_SEARCHES = [
  { query: 'river stone', k: 10 },
  { query: 'bright music in the dark', k: 10, filter: { pos: 'noun' } },
  {
    query: 'cold metal field',
    k: 25,
    filter: { pos: 'verb', rank: [3, 10, 101, 102, 103, 500, 1499, 7, 8, 9] },
  },
  { query: 'soft wind over the water', k: 100 },
] as const;
