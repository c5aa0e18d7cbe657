import type { z } from 'zod';
import {
  type CollectionRequestSchemas,
  DeleteItemsResponseSchema,
  DroppedCollectionResponseSchema,
  ItemResponseSchema,
  ItemsPageResponseSchema,
  UpsertItemsResponseSchema,
} from './collection-schemas.ts';
import {
  type createOpenAiEmbeddingsRequestSchema,
  OpenAiEmbeddingsResponseSchema,
} from './openai/schemas.ts';
import {
  CollectionInfoSchema,
  CollectionsResponseSchema,
  DuplicatesResponseSchema,
  EmbedResponseSchema,
  ErrorResponseSchema,
  EventsResponseSchema,
  ModelsResponseSchema,
  RecommendResponseSchema,
  type RequestSchemas,
  SearchBatchResponseSchema,
  SearchResponseSchema,
  SimilarItemsResponseSchema,
  SimilarityResponseSchema,
} from './schemas.ts';

/**
 * A typed client for the dml-edge HTTP API (`import { createClient } from 'dml-edge/client'`). Request
 * and answer types come from the zod schemas the server validates with, and every answer is parsed with
 * its schema, so a server and client that disagree fail loudly instead of drifting.
 */

/** What a request body may be, as the client writes it (fields with defaults optional). */
type Body<S extends z.ZodType> = z.input<S>;
type Requests = RequestSchemas & CollectionRequestSchemas;

export interface ClientOptions {
  /** Where the server is, e.g. http://127.0.0.1:8787. */
  baseUrl: string;
  /** An API key (dml-edge keys create): sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** A fetch to use instead of the global one (tests, proxies, Workers service bindings). */
  fetch?: typeof fetch;
}

/** An error answer: its status, the server's error code and its message (which names the field at fault). */
export class DmlEdgeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DmlEdgeError';
  }
}

export function createClient(options: ClientOptions) {
  const send = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    const response = await send(base + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = ErrorResponseSchema.safeParse(json);
      throw error.success
        ? new DmlEdgeError(response.status, error.data.error.code, error.data.error.message)
        : new DmlEdgeError(response.status, 'unexpected', `${method} ${path} answered ${response.status}`);
    }
    return schema.parse(json);
  }
  const segment = encodeURIComponent;
  const query = (params: Record<string, string | number | boolean | undefined>) => {
    const given = Object.entries(params).filter(([, value]) => value !== undefined);
    return given.length === 0 ? '' : `?${new URLSearchParams(given.map(([k, v]) => [k, String(v)]))}`;
  };

  return {
    models: () => call('GET', '/v1/models', ModelsResponseSchema),
    embed: (body: Body<Requests['EmbedRequest']>) => call('POST', '/v1/embed', EmbedResponseSchema, body),
    /** OpenAI's embeddings shape (the official `openai` client works too, with `baseURL: <server>/v1`). */
    embeddings: (body: Body<ReturnType<typeof createOpenAiEmbeddingsRequestSchema>>) =>
      call('POST', '/v1/embeddings', OpenAiEmbeddingsResponseSchema, body),
    similarity: (body: Body<Requests['SimilarityRequest']>) =>
      call('POST', '/v1/similarity', SimilarityResponseSchema, body),
    duplicates: (body: Body<Requests['DuplicatesRequest']>) =>
      call('POST', '/v1/duplicates', DuplicatesResponseSchema, body),
    search: (body: Body<Requests['SearchRequest']>) => call('POST', '/v1/search', SearchResponseSchema, body),
    searchBatch: (body: Body<Requests['SearchBatchRequest']>) =>
      call('POST', '/v1/search/batch', SearchBatchResponseSchema, body),
    recommend: (body: Body<Requests['RecommendRequest']>) =>
      call('POST', '/v1/recommend', RecommendResponseSchema, body),
    /** Records a user's events (a key with the write scope). */
    events: (user: string, body: Body<Requests['EventsRequest']>) =>
      call('POST', `/v1/users/${segment(user)}/events`, EventsResponseSchema, body),
    collections: {
      list: () => call('GET', '/v1/collections', CollectionsResponseSchema),
      create: (body: Body<Requests['CreateCollectionRequest']>) =>
        call('POST', '/v1/collections', CollectionInfoSchema, body),
      delete: (name: string, model?: string) =>
        call(
          'DELETE',
          `/v1/collections/${segment(name)}${query({ model })}`,
          DroppedCollectionResponseSchema,
        ),
    },
    items: {
      upsert: (collection: string, body: Body<Requests['UpsertItemsRequest']>) =>
        call('POST', `/v1/collections/${segment(collection)}/items`, UpsertItemsResponseSchema, body),
      delete: (collection: string, body: Body<Requests['DeleteItemsRequest']>) =>
        call('POST', `/v1/collections/${segment(collection)}/items/delete`, DeleteItemsResponseSchema, body),
      get: (collection: string, id: string, params: { model?: string; include_vector?: boolean } = {}) =>
        call(
          'GET',
          `/v1/collections/${segment(collection)}/items/${segment(id)}${query(params)}`,
          ItemResponseSchema,
        ),
      list: (
        collection: string,
        params: { model?: string; limit?: number; after?: string; include_vector?: boolean } = {},
      ) =>
        call('GET', `/v1/collections/${segment(collection)}/items${query(params)}`, ItemsPageResponseSchema),
      similar: (id: string, params: { k?: number; collection?: string; model?: string } = {}) =>
        call('GET', `/v1/items/${segment(id)}/similar${query(params)}`, SimilarItemsResponseSchema),
    },
  };
}

export type DmlEdgeClient = ReturnType<typeof createClient>;
