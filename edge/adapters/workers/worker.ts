import { createWorker } from './create-worker.ts';

// The module wrangler deploys (wrangler.toml `main`); it exports nothing else, since workerd treats
// named exports of the main module as entrypoints.
export default createWorker();
