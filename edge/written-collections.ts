import { describeCollection } from './collection-key.ts';
import { ApiError } from './errors.ts';
import type {
  CollectionInfo,
  CollectionRef,
  CollectionStore,
  ItemCatalog,
  ModelRegistry,
  VectorIndex,
} from './ports.ts';

/**
 * The published collections and the written ones (a CollectionStore's) as one VectorIndex, so that
 * /v1/search, /v1/collections and /v1/items/{id}/similar serve both without knowing which is which.
 *
 * A written collection is bound to the model version that embedded it. When its model serves another
 * version (a promotion or a rollback), it is listed with `stale: true`, and searching it is a 409
 * `collection_stale` until its items are embedded again (POST /v1/collections/{name}/reembed): vectors of
 * two versions are never compared. A written collection whose model is not loaded at all is not listed.
 */
export function withWrittenCollections(
  published: VectorIndex,
  store: CollectionStore,
  registry: ModelRegistry,
): VectorIndex {
  const view = (info: CollectionInfo): CollectionInfo | undefined => {
    const model = registry.get(info.model);
    if (!model) return undefined;
    return model.manifest.version === info.modelVersion ? info : { ...info, stale: true };
  };
  return {
    collections: () => [
      ...published.collections(),
      ...store.collections().flatMap((info) => view(info) ?? []),
    ],
    collection(ref) {
      const written = store.collection(ref);
      return written ? view(written) : published.collection(ref);
    },
    async search(ref, query, k, filter) {
      const written = store.collection(ref);
      if (!written) return published.search(ref, query, k, filter);
      requireFresh(written, registry);
      return store.search(ref, query, k, filter);
    },
  };
}

/** 409 collection_stale when the collection was embedded by another version than its model serves now. */
export function requireFresh(collection: CollectionInfo, registry: ModelRegistry): void {
  const serving = registry.get(collection.model)?.manifest.version;
  if (serving === collection.modelVersion) return;
  throw new ApiError(
    409,
    'collection_stale',
    `collection ${describeCollection(collection)} was embedded with ${collection.model}@${collection.modelVersion}, ` +
      `but ${collection.model}@${serving} serves now: POST /v1/collections/${collection.name}/reembed ` +
      'embeds its items again from their stored texts and images',
  );
}

/** The item catalog with the written collections' stored vectors (they ship no user histories). */
export function withWrittenItems(published: ItemCatalog, store: CollectionStore): ItemCatalog {
  const written = (ref: CollectionRef) => store.collection(ref) !== undefined;
  return {
    vectors: (ref, ids) => (written(ref) ? store.vectors(ref, ids) : published.vectors(ref, ids)),
    history: async (ref, user) => (written(ref) ? undefined : published.history(ref, user)),
  };
}
