import { createApp } from '../../app.ts';
import type { CollectionInfo, LoadedModel, ModelRegistry, VectorIndex } from '../../ports.ts';

/**
 * The Workers entry: the same app factory as on Node. Until the Workers adapters land (onnxruntime-web
 * from a precompiled module, sqlite-vec in WebAssembly, models from R2), this worker publishes no models
 * or collections, so /healthz answers and model routes answer 404 with the usual JSON error.
 */
const noModels: ModelRegistry = {
  list: (): readonly LoadedModel[] => [],
  get: () => undefined,
};

const noCollections: VectorIndex = {
  collections: (): readonly CollectionInfo[] => [],
  collection: () => undefined,
  search: async () => [],
};

const app = createApp({ registry: noModels, index: noCollections });

export default { fetch: app.fetch };
