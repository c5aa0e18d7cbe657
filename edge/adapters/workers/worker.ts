import { createWorker } from './create-worker.ts';

// The module wrangler deploys (wrangler.toml `main`). workerd treats named exports of the main module
// as entrypoints, so the only other exports are the Durable Object classes wrangler.toml binds (SHARDS,
// COLLECTIONS).
export default createWorker();
export { IndexShard } from './shard-object.ts';
export { WrittenCollections } from './written-collections-object.ts';
