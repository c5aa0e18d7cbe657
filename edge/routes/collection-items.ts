import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ModelNameSchema } from '../../shared/manifest.ts';
import {
  createCollectionRequestSchemas,
  ItemIdSchema,
  ItemResponseSchema,
  ItemsPageResponseSchema,
} from '../collection-schemas.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import type { CollectionInfo, CollectionStore, WrittenItem } from '../ports.ts';
import { writtenCollection } from './written-collection.ts';

/**
 * Reading the written collections' items back: one by id (under its collection, or as /v1/items/{id}
 * with the collection in the query) and every item page by page, in id order.
 */
export function collectionItemRoutes(deps: AppDeps, store: CollectionStore): OpenAPIHono<AppEnv> {
  const { ItemQuery, ItemsQuery } = createCollectionRequestSchemas(deps.limits);
  const itemExample = {
    collection: 'support-tickets',
    model: 'minilm',
    model_version: '20261128-0300',
    id: 't-1',
    text: 'the printer jams on every page',
    metadata: { team: 'hardware' },
    embedded: true,
  };
  const itemAnswer = () =>
    jsonResponse(ItemResponseSchema.openapi('ItemResponse'), 'The stored item.', itemExample);

  const one = createRoute({
    method: 'get',
    path: '/v1/collections/{name}/items/{id}',
    operationId: 'getItem',
    tags: ['items'],
    summary: 'One item of a written collection',
    request: {
      params: z.object({
        name: ModelNameSchema.describe('The collection, e.g. support-tickets.'),
        id: ItemIdSchema.openapi({ example: 't-1' }),
      }),
      query: ItemQuery,
    },
    responses: { 200: itemAnswer(), ...errorResponses(400, 404, ...V1_ERRORS) },
  });

  const byId = createRoute({
    method: 'get',
    path: '/v1/items/{id}',
    operationId: 'getItemById',
    tags: ['items'],
    summary: 'One item, its written collection named in the query',
    request: {
      params: z.object({ id: ItemIdSchema.openapi({ example: 't-1' }) }),
      query: ItemQuery.extend({
        collection: ModelNameSchema.describe('The written collection that holds the item.'),
      }),
    },
    responses: { 200: itemAnswer(), ...errorResponses(400, 404, ...V1_ERRORS) },
  });

  const list = createRoute({
    method: 'get',
    path: '/v1/collections/{name}/items',
    operationId: 'listItems',
    tags: ['items'],
    summary: "A page of a written collection's items, in id order",
    request: {
      params: z.object({ name: ModelNameSchema.describe('The collection, e.g. support-tickets.') }),
      query: ItemsQuery,
    },
    responses: {
      200: jsonResponse(ItemsPageResponseSchema.openapi('ItemsPageResponse'), 'One page.', {
        collection: 'support-tickets',
        model: 'minilm',
        model_version: '20261128-0300',
        items: [{ id: 't-1', text: 'the printer jams on every page', metadata: {}, embedded: true }],
        next: 't-1',
      }),
      ...errorResponses(400, 404, ...V1_ERRORS),
    },
  });

  const answerItem = async (collection: CollectionInfo, id: string, withVector: boolean) => {
    const item = await store.item(collection, id);
    if (!item) {
      throw new ApiError(
        404,
        'item_not_found',
        `collection "${collection.name}" has no item ${JSON.stringify(id)}`,
      );
    }
    return { ...owner(collection), ...shown(item, withVector) };
  };

  return new OpenAPIHono<AppEnv>()
    .openapi(one, async (c) => {
      const { name, id } = c.req.valid('param');
      const query = c.req.valid('query');
      const { collection } = writtenCollection(deps, name, query.model, 'read');
      return c.json(await answerItem(collection, id, query.include_vector), 200);
    })
    .openapi(byId, async (c) => {
      const query = c.req.valid('query');
      const { collection } = writtenCollection(deps, query.collection, query.model, 'read');
      return c.json(await answerItem(collection, c.req.valid('param').id, query.include_vector), 200);
    })
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { collection } = writtenCollection(deps, c.req.valid('param').name, query.model, 'read');
      const page = await store.page(collection, query.after, query.limit);
      return c.json(
        {
          ...owner(collection),
          items: page.items.map((item) => shown(item, query.include_vector)),
          next: page.next,
        },
        200,
      );
    });
}

function owner(collection: CollectionInfo) {
  return { collection: collection.name, model: collection.model, model_version: collection.modelVersion };
}

function shown(item: WrittenItem, withVector: boolean) {
  return {
    id: item.id,
    text: item.text,
    metadata: item.metadata,
    embedded: item.source !== null,
    ...(withVector ? { vector: Array.from(item.vector) } : {}),
  };
}
