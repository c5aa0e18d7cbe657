import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ModelNameSchema } from '../../shared/manifest.ts';
import { requireScope } from '../auth/require-scope.ts';
import {
  createCollectionRequestSchemas,
  DeleteItemsResponseSchema,
  DroppedCollectionResponseSchema,
  GraphResponseSchema,
  ItemIdSchema,
  ReembedResponseSchema,
  UpsertItemsResponseSchema,
} from '../collection-schemas.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { ModelRefSchema, parseModelRef } from '../model-ref.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, NEEDS_KEY, V1_ERRORS } from '../openapi/responses.ts';
import type { CollectionRef, CollectionStore, KeyStore } from '../ports.ts';
import { modelVersionOf, resolveModel } from '../resolve.ts';
import { CollectionInfoSchema } from '../schemas.ts';
import { requireFresh } from '../written-collections.ts';
import { reembedSources, writtenItems } from '../written-items.ts';
import { describeCollection } from './collections.ts';
import { writtenCollection } from './written-collection.ts';

export interface CollectionWriteDeps {
  store: CollectionStore;
  keys: KeyStore;
}

const NameParams = z.object({ name: ModelNameSchema.describe('The collection, e.g. support-tickets.') });
const ModelQuery = z
  .object({
    model: ModelRefSchema.optional().describe(
      'The model whose collection it is, when several models hold a collection of this name; pinned as `<name>@<version>`, the version it is bound to.',
    ),
  })
  .strict();

/**
 * The writes of the written collections (API key with the write scope): create and delete a collection,
 * upsert and delete items (embedded by the server), rebuild a collection's search graph, and embed its
 * items again after its model was promoted. Each write is one transaction in the CollectionStore: a
 * request's items are all written or none is.
 */
export function collectionWriteRoutes(
  deps: AppDeps,
  { store, keys }: CollectionWriteDeps,
): OpenAPIHono<AppEnv> {
  const requests = createCollectionRequestSchemas(deps.limits);
  const write = requireScope(keys, 'write');
  const WRITE_ERRORS = [...BODY_ERRORS, 401, 403, 404, 405, 409, ...V1_ERRORS] as const;
  const ref = (name: string, model: string): CollectionRef => ({ name, model });
  const counts = (r: CollectionRef) => {
    const info = store.collection(r);
    return { items: info?.items ?? 0, search: info?.search ?? 'exact' };
  };

  /** A write to one collection named by the path, with no body: its key, errors and `?model=`. */
  const collectionAction = <R extends ReturnType<typeof jsonResponse>>(
    spec: { method: 'post' | 'delete'; path: string; operationId: string; summary: string },
    answer: R,
  ) =>
    createRoute({
      ...spec,
      tags: ['collections'],
      security: NEEDS_KEY,
      middleware: [write] as const,
      request: { params: NameParams, query: ModelQuery },
      responses: { 200: answer, ...errorResponses(400, 401, 403, 404, 405, 409, ...V1_ERRORS) },
    });

  const create = createRoute({
    method: 'post',
    path: '/v1/collections',
    operationId: 'createCollection',
    tags: ['collections'],
    summary: 'Create a collection for a model, to write items into',
    security: NEEDS_KEY,
    middleware: [write, readsJsonBody] as const,
    request: {
      body: jsonBody(requests.CreateCollectionRequest.openapi('CreateCollectionRequest'), {
        name: 'support-tickets',
        model: 'minilm',
        description: 'Tickets of the support desk',
        filterable: [{ name: 'team', type: 'text' }],
      }),
    },
    responses: {
      201: jsonResponse(
        CollectionInfoSchema.openapi('CollectionInfo'),
        'Created, bound to the version its model serves now (`model_version`).',
        {
          name: 'support-tickets',
          model: 'minilm',
          model_version: '20261128-0300',
          dims: 64,
          distance: 'cosine',
          items: 0,
          description: 'Tickets of the support desk',
          filterable: [{ name: 'team', type: 'text' }],
          writable: true,
          search: 'exact',
        },
      ),
      ...errorResponses(...WRITE_ERRORS),
    },
  });

  const drop = collectionAction(
    {
      method: 'delete',
      path: '/v1/collections/{name}',
      operationId: 'deleteCollection',
      summary: 'Delete a written collection with its items',
    },
    jsonResponse(DroppedCollectionResponseSchema.openapi('DroppedCollectionResponse'), 'Deleted.', {
      collection: 'support-tickets',
      model: 'minilm',
      deleted: true,
      items: 1200,
    }),
  );

  const upsert = createRoute({
    method: 'post',
    path: '/v1/collections/{name}/items',
    operationId: 'upsertItems',
    tags: ['items'],
    summary: 'Insert or replace items (the server embeds their texts or images); all or none',
    security: NEEDS_KEY,
    middleware: [write, readsJsonBody] as const,
    request: {
      params: NameParams,
      body: jsonBody(requests.UpsertItemsRequest.openapi('UpsertItemsRequest'), {
        items: [
          { id: 't-1', text: 'the printer jams on every page', metadata: { team: 'hardware' } },
          { id: 't-2', text: 'cannot log in after the update', metadata: { team: 'accounts' } },
        ],
      }),
    },
    responses: {
      200: jsonResponse(
        UpsertItemsResponseSchema.openapi('UpsertItemsResponse'),
        'Every item written.',
        {
          collection: 'support-tickets',
          model: 'minilm',
          model_version: '20261128-0300',
          created: 1,
          updated: 1,
          items: 1201,
          search: 'exact',
        },
        { modelVersion: true },
      ),
      ...errorResponses(...WRITE_ERRORS),
    },
  });

  const remove = createRoute({
    method: 'post',
    path: '/v1/collections/{name}/items/delete',
    operationId: 'deleteItems',
    tags: ['items'],
    summary: 'Delete items by id; all or none',
    security: NEEDS_KEY,
    middleware: [write, readsJsonBody] as const,
    request: {
      params: NameParams,
      body: jsonBody(requests.DeleteItemsRequest.openapi('DeleteItemsRequest'), { ids: ['t-1', 't-9'] }),
    },
    responses: {
      200: jsonResponse(DeleteItemsResponseSchema.openapi('DeleteItemsResponse'), 'Deleted.', {
        collection: 'support-tickets',
        model: 'minilm',
        deleted: ['t-1'],
        not_found: ['t-9'],
        items: 1200,
        search: 'exact',
      }),
      ...errorResponses(...WRITE_ERRORS),
    },
  });

  const removeOne = createRoute({
    method: 'delete',
    path: '/v1/collections/{name}/items/{id}',
    operationId: 'deleteItem',
    tags: ['items'],
    summary: 'Delete one item',
    security: NEEDS_KEY,
    middleware: [write] as const,
    request: {
      params: NameParams.extend({ id: ItemIdSchema.openapi({ example: 't-1' }) }),
      query: ModelQuery,
    },
    responses: {
      200: jsonResponse(DeleteItemsResponseSchema, 'Deleted.', {
        collection: 'support-tickets',
        model: 'minilm',
        deleted: ['t-1'],
        not_found: [],
        items: 1200,
        search: 'exact',
      }),
      ...errorResponses(400, 401, 403, 404, 405, ...V1_ERRORS),
    },
  });

  const graph = collectionAction(
    {
      method: 'post',
      path: '/v1/collections/{name}/graph',
      operationId: 'buildCollectionGraph',
      summary: "Build the collection's search graph (searches are exact after a write until this runs)",
    },
    jsonResponse(GraphResponseSchema.openapi('GraphResponse'), 'Built.', {
      collection: 'support-tickets',
      model: 'minilm',
      items: 1200,
      search: 'graph',
    }),
  );

  const reembed = collectionAction(
    {
      method: 'post',
      path: '/v1/collections/{name}/reembed',
      operationId: 'reembedCollection',
      summary: 'Embed every item again with the version its model serves now (after a promotion)',
    },
    jsonResponse(
      ReembedResponseSchema.openapi('ReembedResponse'),
      'Every item embedded again, and the collection bound to the new version.',
      {
        collection: 'support-tickets',
        model: 'minilm',
        model_version: '20261205-0300',
        previous_version: '20261128-0300',
        items: 1200,
      },
      { modelVersion: true },
    ),
  );

  return new OpenAPIHono<AppEnv>()
    .openapi(create, async (c) => {
      const request = c.req.valid('json');
      // Created for the version served now: pinning another one is a 409.
      const pinned = parseModelRef(request.model);
      const model = resolveModel(deps.registry, pinned.name);
      if (pinned.version !== undefined && pinned.version !== model.manifest.version) {
        throw new ApiError(
          409,
          'version_not_served',
          `model: a collection is bound to the version its model serves now, ${modelVersionOf(model)}`,
        );
      }
      const name = model.manifest.name;
      if (deps.index.collection(ref(request.name, name))) {
        throw new ApiError(
          409,
          'collection_exists',
          `name: model ${name} already has a collection named "${request.name}"`,
        );
      }
      const info = await store.create({
        ...ref(request.name, name),
        modelVersion: model.manifest.version,
        dims: model.embedder.dim,
        ...(request.description === undefined ? {} : { description: request.description }),
        ...(request.filterable ? { filterable: request.filterable } : {}),
      });
      return c.json(describeCollection(info), 201);
    })
    .openapi(drop, async (c) => {
      const { collection } = writtenCollection(
        deps,
        c.req.valid('param').name,
        c.req.valid('query').model,
        'write',
      );
      await store.drop(collection);
      return c.json(
        {
          collection: collection.name,
          model: collection.model,
          deleted: true as const,
          items: collection.items,
        },
        200,
      );
    })
    .openapi(upsert, async (c) => {
      const request = c.req.valid('json');
      const { collection, model } = writtenCollection(
        deps,
        c.req.valid('param').name,
        request.model,
        'write',
      );
      requireFresh(collection, deps.registry);
      c.set('modelVersion', modelVersionOf(model));
      const items = await writtenItems(deps, model, collection, request.items);
      // Dropped while its items were embedded: a 404 now, not the store's unknown collection.
      writtenCollection(deps, collection.name, collection.model, 'write');
      const written = await store.upsert(collection, items, model.manifest.version);
      if ('boundTo' in written) {
        throw new ApiError(
          409,
          'collection_stale',
          `collection "${collection.name}" was embedded again with ${collection.model}@${written.boundTo} ` +
            `while this request's items were embedded with ${modelVersionOf(model)}; send it again`,
        );
      }
      return c.json(
        {
          collection: collection.name,
          model: collection.model,
          model_version: model.manifest.version,
          created: written.created,
          updated: written.updated,
          ...counts(collection),
        },
        200,
      );
    })
    .openapi(remove, async (c) => {
      const request = c.req.valid('json');
      const { collection } = writtenCollection(deps, c.req.valid('param').name, request.model, 'write');
      return c.json(await deleted(collection, request.ids), 200);
    })
    .openapi(removeOne, async (c) => {
      const { name, id } = c.req.valid('param');
      const { collection } = writtenCollection(deps, name, c.req.valid('query').model, 'write');
      return c.json(await deleted(collection, [id]), 200);
    })
    .openapi(graph, async (c) => {
      const { collection } = writtenCollection(
        deps,
        c.req.valid('param').name,
        c.req.valid('query').model,
        'write',
      );
      await store.buildGraph(collection);
      return c.json({ collection: collection.name, model: collection.model, ...counts(collection) }, 200);
    })
    .openapi(reembed, async (c) => {
      const { collection, model } = writtenCollection(
        deps,
        c.req.valid('param').name,
        c.req.valid('query').model,
        'write',
      );
      c.set('modelVersion', modelVersionOf(model));
      const { revision, items } = await store.sources(collection);
      const given = items.filter((item) => item.source === null).map((item) => item.id);
      if (given.length > 0) {
        throw new ApiError(
          409,
          'collection_stale',
          `collection "${collection.name}" holds item(s) given as vectors, which cannot be embedded again ` +
            `(${given.length}: ${given
              .slice(0, 5)
              .map((id) => JSON.stringify(id))
              .join(', ')}${given.length > 5 ? ', ...' : ''}): delete them (POST .../items/delete), ` +
            'embed the rest, then write them again with vectors of the new version',
        );
      }
      const vectors = await reembedSources(
        deps,
        model,
        items.map((item) => ({ id: item.id, source: item.source as string })),
      );
      const change = { revision, modelVersion: model.manifest.version, vectors };
      if (!(await store.rebind(collection, change))) {
        throw new ApiError(
          409,
          'collection_stale',
          `collection "${collection.name}" was written while its items were embedded again; send the request again`,
        );
      }
      return c.json(
        {
          collection: collection.name,
          model: collection.model,
          model_version: model.manifest.version,
          previous_version: collection.modelVersion,
          items: items.length,
        },
        200,
      );
    });

  async function deleted(collection: CollectionRef, ids: readonly string[]) {
    const gone = await store.remove(collection, ids);
    const removed = new Set(gone);
    return {
      collection: collection.name,
      model: collection.model,
      deleted: gone,
      not_found: ids.filter((id) => !removed.has(id)),
      ...counts(collection),
    };
  }
}
