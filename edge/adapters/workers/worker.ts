import { createWorker } from './create-worker.ts';

// The module wrangler deploys (wrangler.toml `main`). workerd treats named exports of the main module
// as entrypoints, so the only other export is the Durable Object class wrangler.toml binds as SHARDS.
export default createWorker();
export { IndexShard } from './shard-object.ts';
