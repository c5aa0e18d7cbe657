import { z } from 'zod';
import {
  CollectionInfoSchema,
  CollectionsResponseSchema,
  DuplicatesResponseSchema,
  EmbedResponseSchema,
  ErrorResponseSchema,
  EventsResponseSchema,
  HealthResponseSchema,
  ModelInfoSchema,
  ModelsResponseSchema,
  PromoteResponseSchema,
  ReadyResponseSchema,
  RecommendResponseSchema,
  ReloadResponseSchema,
  type RequestSchemas,
  SearchHitSchema,
  SearchResponseSchema,
  SimilarItemsResponseSchema,
  SimilarityResponseSchema,
} from './schemas.ts';

type JsonObject = Record<string, unknown>;

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid JSON or a body that breaks the request schema (wrong types, empty or oversized batch, ...), or a collection name several models hold without a model to choose (ambiguous_collection).',
  401: 'No API key, or an unknown, wrong or revoked one (Authorization: Bearer <key>).',
  403: "The API key's scope does not allow this request.",
  404: 'No such model or collection (or item, or user, where the request names them).',
  409: 'The version cannot be served (a file fails verification); the versions already serving go on.',
  413: 'The body is over the size limit.',
  429: 'Over a rate limit (per address or per API key); Retry-After says how many seconds to wait.',
  500: 'An internal fault; details are in the server log.',
  503: 'Not ready for traffic: no model is loaded, or the server is shutting down (not_ready).',
};

interface Operation {
  summary: string;
  request?: string;
  response: string;
  /** Whether the response names the answering model in X-Model-Version. */
  modelVersion?: boolean;
  errors: number[];
  /** Path and query parameters. */
  parameters?: JsonObject[];
  /** The success status, 200 unless given. */
  status?: number;
  /** Whether the request needs an API key whatever the server's settings (writes). */
  needsKey?: boolean;
  /** A second success status with the same body, and when it is sent. */
  alsoOk?: { status: number; description: string };
}

function operation(op: Operation): JsonObject {
  const { summary, request, response, modelVersion, errors } = op;
  const json = (schema: JsonObject) => ({ 'application/json': { schema } });
  const headers = modelVersion ? { 'X-Model-Version': { $ref: '#/components/headers/X-Model-Version' } } : {};
  return {
    summary,
    ...(op.parameters && { parameters: op.parameters }),
    ...(op.needsKey && { security: [{ bearer: [] }] }),
    ...(request && { requestBody: { required: true, content: json(ref(request)) } }),
    responses: {
      [op.status ?? 200]: { description: 'OK', headers, content: json(ref(response)) },
      ...(op.alsoOk && {
        [op.alsoOk.status]: { description: op.alsoOk.description, headers, content: json(ref(response)) },
      }),
      ...Object.fromEntries(
        errors.map((status) => [
          status,
          { description: ERROR_DESCRIPTIONS[status], content: json(ref('ErrorResponse')) },
        ]),
      ),
    },
  };
}

/** Every schema under its component name; requests as clients send them (defaults optional), responses as sent. */
function componentSchemas(requests: RequestSchemas): Record<string, JsonObject> {
  const requestRegistry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(requests)) requestRegistry.add(schema, { id });
  const responseRegistry = z.registry<{ id: string }>();
  const responses = {
    ErrorResponse: ErrorResponseSchema,
    HealthResponse: HealthResponseSchema,
    ReadyResponse: ReadyResponseSchema,
    ModelInfo: ModelInfoSchema,
    ModelsResponse: ModelsResponseSchema,
    CollectionInfo: CollectionInfoSchema,
    CollectionsResponse: CollectionsResponseSchema,
    EmbedResponse: EmbedResponseSchema,
    SimilarityResponse: SimilarityResponseSchema,
    DuplicatesResponse: DuplicatesResponseSchema,
    SearchHit: SearchHitSchema,
    SearchResponse: SearchResponseSchema,
    RecommendResponse: RecommendResponseSchema,
    SimilarItemsResponse: SimilarItemsResponseSchema,
    EventsResponse: EventsResponseSchema,
    ReloadResponse: ReloadResponseSchema,
    PromoteResponse: PromoteResponseSchema,
  };
  for (const [id, schema] of Object.entries(responses)) responseRegistry.add(schema, { id });

  const uri = (id: string) => `#/components/schemas/${id}`;
  const all = {
    ...z.toJSONSchema(requestRegistry, { uri, io: 'input' }).schemas,
    ...z.toJSONSchema(responseRegistry, { uri, io: 'output' }).schemas,
  };
  // Component schemas are embedded in the document, not standalone JSON Schema documents.
  return Object.fromEntries(
    Object.entries(all).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]),
  );
}

/** The OpenAPI 3.1 description of the app, generated from the schemas the routes validate with. */
export function buildOpenApiDocument(requests: RequestSchemas): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'dml-edge',
      version: '1',
      description: 'Embeddings, similarity and nearest-neighbour search with deep-metric-learning models.',
    },
    paths: {
      '/healthz': { get: operation({ summary: 'Liveness', response: 'HealthResponse', errors: [500] }) },
      '/readyz': {
        get: operation({
          summary: 'Readiness: models loaded and not shutting down',
          response: 'ReadyResponse',
          errors: [503],
        }),
      },
      '/v1/models': {
        get: operation({
          summary: 'The loaded models, default first',
          response: 'ModelsResponse',
          errors: [429, 500],
        }),
      },
      '/v1/collections': {
        get: operation({
          summary: 'The searchable collections',
          response: 'CollectionsResponse',
          errors: [429, 500],
        }),
      },
      '/v1/embed': {
        post: operation({
          summary: 'Embed texts as unit vectors',
          request: 'EmbedRequest',
          response: 'EmbedResponse',
          modelVersion: true,
          errors: [400, 404, 413, 429, 500],
        }),
      },
      '/v1/similarity': {
        post: operation({
          summary: 'Cosine similarity of text pairs',
          request: 'SimilarityRequest',
          response: 'SimilarityResponse',
          modelVersion: true,
          errors: [400, 404, 413, 429, 500],
        }),
      },
      '/v1/duplicates': {
        post: operation({
          summary:
            "Group near-duplicate texts (single linkage at the threshold, the model's calibrated one by default)",
          request: 'DuplicatesRequest',
          response: 'DuplicatesResponse',
          modelVersion: true,
          errors: [400, 404, 413, 429, 500],
        }),
      },
      '/v1/search': {
        post: operation({
          summary: 'The k items of a collection nearest to a query text',
          request: 'SearchRequest',
          response: 'SearchResponse',
          modelVersion: true,
          errors: [400, 404, 413, 429, 500],
        }),
      },
      '/v1/recommend': {
        post: operation({
          summary: 'Items for a user: from their stored history, their recent items, or both',
          request: 'RecommendRequest',
          response: 'RecommendResponse',
          modelVersion: true,
          errors: [400, 404, 413, 429, 500],
        }),
      },
      '/v1/items/{id}/similar': {
        get: operation({
          summary: 'The items nearest to an item of a collection',
          response: 'SimilarItemsResponse',
          modelVersion: true,
          errors: [400, 404, 429, 500],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'k', in: 'query', schema: { type: 'integer', minimum: 1, default: 10 } },
            {
              name: 'collection',
              in: 'query',
              description:
                "The first recommendation model's collection when neither it nor `model` is given; a name several models hold is resolved as in /v1/search.",
              schema: { type: 'string' },
            },
            {
              name: 'model',
              in: 'query',
              description: "The model whose collection it is; alone, that model's first collection.",
              schema: { type: 'string' },
            },
          ],
        }),
      },
      '/v1/users/{id}/events': {
        post: operation({
          summary: "Record a user's interactions (API key with the write scope); they count at once",
          request: 'EventsRequest',
          response: 'EventsResponse',
          modelVersion: true,
          status: 201,
          alsoOk: { status: 200, description: 'A retry: every event was recorded before under its id.' },
          needsKey: true,
          errors: [400, 401, 403, 404, 413, 429, 500],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 256 } },
          ],
        }),
      },
      '/v1/admin/reload': {
        post: operation({
          summary: 'Serve what the `current` pointers name now (API key with the admin scope)',
          response: 'ReloadResponse',
          needsKey: true,
          errors: [401, 403, 409, 429, 500],
        }),
      },
      '/v1/admin/models/{name}/promote': {
        post: operation({
          summary:
            'Make a published version live: verified, its `current` pointer switched, served at once (admin scope)',
          request: 'PromoteRequest',
          response: 'PromoteResponse',
          needsKey: true,
          errors: [400, 401, 403, 404, 409, 413, 429, 500],
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        }),
      },
      '/metrics': {
        get: {
          summary:
            'Prometheus metrics: requests and latency per route and model, embed batch sizes, loaded versions (Node server; open unless it runs with --metrics key)',
          responses: {
            200: {
              description: 'OK',
              content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } },
            },
            401: {
              description: ERROR_DESCRIPTIONS[401],
              content: { 'application/json': { schema: ref('ErrorResponse') } },
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This document',
          responses: {
            200: { description: 'OK', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
    },
    components: {
      schemas: componentSchemas(requests),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (dml-edge keys create).' },
      },
      headers: {
        'X-Model-Version': {
          description: 'The model that answered, as <model>@<version>.',
          schema: { type: 'string' },
        },
      },
    },
  };
}
