import type { z } from 'zod';
import { collectionKey } from '../../collection-key.ts';
import type { CollectionInfo, CollectionStore, WrittenItem } from '../../ports.ts';
import {
  type CollectionRequest,
  type CollectionRowSchema,
  ErrorReplySchema,
  ItemReplySchema,
  type ItemSchema,
  ListReplySchema,
  PageReplySchema,
  RebindReplySchema,
  RemoveReplySchema,
  SearchReplySchema,
  SourcesReplySchema,
  UpsertReplySchema,
  VectorsReplySchema,
} from './collection-protocol.ts';

/** The part of a Durable Object namespace binding the store uses. */
export interface CollectionsNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** The one object that holds a deployment's written collections. */
const OBJECT_NAME = 'written-collections';

export interface DurableCollectionStore extends CollectionStore {
  /** Reads the list of collections again: another isolate may have written since. */
  refresh(): Promise<void>;
}

/**
 * The CollectionStore port on Workers, over the WrittenCollections Durable Object
 * (written-collections-object.ts): each call is one request to the object, which runs it in one
 * transaction. The list of collections (the port's synchronous part) is kept from the object's last
 * answer; the Worker refreshes it before each request that may name a written collection. Searches are
 * exact scans in the object: `search` is always 'exact', and buildGraph builds nothing.
 */
export function durableCollectionStore(namespace: CollectionsNamespace): DurableCollectionStore {
  let byKey = new Map<string, CollectionInfo>();

  async function call<S extends z.ZodType>(request: CollectionRequest, schema: S): Promise<z.output<S>> {
    // A stub per call: workerd ties a stub to the request that made it, and this store outlives requests.
    const object = namespace.get(namespace.idFromName(OBJECT_NAME));
    const response = await object.fetch(
      new Request('https://written-collections/', { method: 'POST', body: JSON.stringify(request) }),
    );
    const body: unknown = await response.json();
    if (!response.ok) throw new Error(`written collections: ${ErrorReplySchema.parse(body).error}`);
    const reply = schema.parse(body);
    const listed = ListReplySchema.safeParse(reply);
    if (listed.success) remember(listed.data.collections);
    return reply;
  }

  function remember(rows: z.infer<typeof CollectionRowSchema>[]) {
    byKey = new Map(
      rows.map((row) => {
        const info: CollectionInfo = { ...row, distance: 'cosine', writable: true, search: 'exact' };
        return [collectionKey(info), info];
      }),
    );
  }

  const toItem = (item: z.infer<typeof ItemSchema>): WrittenItem => ({
    ...item,
    vector: Float32Array.from(item.vector),
  });
  const ref = ({ model, name }: { model: string; name: string }) => ({ model, name });

  return {
    refresh: async () => {
      await call({ op: 'list' }, ListReplySchema);
    },
    collections: () => [...byKey.values()],
    collection: (r) => byKey.get(collectionKey(r)),
    async search(r, query, k, filter) {
      const reply = await call(
        { op: 'search', ...ref(r), query: Array.from(query), k, ...(filter ? { filter } : {}) },
        SearchReplySchema,
      );
      return reply.hits;
    },
    async create(spec) {
      await call(
        {
          op: 'create',
          ...ref(spec),
          modelVersion: spec.modelVersion,
          dims: spec.dims,
          ...(spec.description === undefined ? {} : { description: spec.description }),
          ...(spec.filterable ? { filterable: spec.filterable } : {}),
        },
        ListReplySchema,
      );
      const info = byKey.get(collectionKey(spec));
      if (!info) throw new Error(`the written collection "${spec.name}" was not created`);
      return info;
    },
    async drop(r) {
      await call({ op: 'drop', ...ref(r) }, ListReplySchema);
    },
    async upsert(r, items, modelVersion) {
      const reply = await call(
        {
          op: 'upsert',
          ...ref(r),
          modelVersion,
          items: items.map((item) => ({ ...item, vector: Array.from(item.vector) })),
        },
        UpsertReplySchema,
      );
      return reply.boundTo === undefined
        ? { created: reply.created, updated: reply.updated }
        : { boundTo: reply.boundTo };
    },
    async remove(r, ids) {
      return (await call({ op: 'remove', ...ref(r), ids: [...ids] }, RemoveReplySchema)).removed;
    },
    async item(r, id) {
      const { item } = await call({ op: 'item', ...ref(r), id }, ItemReplySchema);
      return item === null ? undefined : toItem(item);
    },
    async page(r, after, limit) {
      const reply = await call(
        { op: 'page', ...ref(r), limit, ...(after === undefined ? {} : { after }) },
        PageReplySchema,
      );
      return { items: reply.items.map(toItem), next: reply.next };
    },
    async vectors(r, ids) {
      const reply = await call({ op: 'vectors', ...ref(r), ids: [...ids] }, VectorsReplySchema);
      return new Map(reply.vectors.map((entry) => [entry.id, Float32Array.from(entry.vector)]));
    },
    sources: (r) => call({ op: 'sources', ...ref(r) }, SourcesReplySchema),
    async rebind(r, change) {
      const reply = await call(
        {
          op: 'rebind',
          ...ref(r),
          revision: change.revision,
          modelVersion: change.modelVersion,
          vectors: [...change.vectors].map(([id, vector]) => ({ id, vector: Array.from(vector) })),
        },
        RebindReplySchema,
      );
      return reply.rebound;
    },
    // Workers search written collections exactly: there is no graph to build.
    buildGraph: async () => undefined,
  };
}
