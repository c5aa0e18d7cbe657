import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { LEXICAL_RERANK_DEPTH, rerankLexically } from '../../shared/search/lexical-rerank.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { givenUnitVector } from '../given-vector.ts';
import { embedRequestInputs, type RequestInput } from '../image/request-inputs.ts';
import { parseModelRef } from '../model-ref.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import type { CollectionInfo, ItemCatalog, LoadedModel, MetadataFilter, SearchHit } from '../ports.ts';
import { checkPinnedVersion, inputKindOf, modelVersionOf, resolveCollection } from '../resolve.ts';
import {
  type SearchBatchResponse,
  SearchBatchResponseSchema,
  type SearchResponse,
  SearchResponseSchema,
} from '../schemas.ts';

/** One search as a request gives it: a query (text or image) or a raw vector, and how to page and cut. */
interface QuerySpec {
  query?: RequestInput;
  vector?: number[];
  k: number;
  offset: number;
  score_threshold?: number;
  filter?: MetadataFilter;
  rerank?: 'lexical';
}

const EXAMPLE_HIT = { id: 'shoe-1', score: 0.82, text: 'red running shoes', metadata: { color: 'red' } };
const ANSWERED_BY = { collection: 'products', model: 'minilm', model_version: '20261128-0300' };

/**
 * POST /v1/search and POST /v1/search/batch: the items of a collection nearest to a query, as vector
 * databases offer it: by text, image or raw `vector`; paged with `offset` (offset + k at most
 * MAX_SEARCH_DEPTH); cut at `score_threshold`; filtered on metadata; reordered by the nearest hits' words
 * on request (`rerank: 'lexical'`, shared/search/lexical-rerank.ts); with the stored vectors on request
 * (`with_vector`, through the item catalog: 400 where the deployment has none). A batch searches one
 * collection with several queries, embedded together. Every search goes through the VectorIndex port,
 * so Node (sqlite-vec + graph) and Workers (wasm index, shards) serve the same forms.
 */
export function searchRoutes(deps: AppDeps, catalog?: ItemCatalog): OpenAPIHono<AppEnv> {
  const single = createRoute({
    method: 'post',
    path: '/v1/search',
    operationId: 'search',
    tags: ['search'],
    summary: 'The k items of a collection nearest to a query text, image or vector',
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(deps.requests.SearchRequest.openapi('SearchRequest'), {
        query: 'running shoes',
        collection: 'products',
        k: 3,
        offset: 0,
        score_threshold: 0.3,
        filter: { color: ['red', 'blue'] },
      }),
    },
    responses: {
      200: jsonResponse(
        SearchResponseSchema.openapi('SearchResponse'),
        'The nearest items, best first.',
        { ...ANSWERED_BY, results: [EXAMPLE_HIT] },
        { modelVersion: true },
      ),
      ...errorResponses(...BODY_ERRORS, 404, 409, ...V1_ERRORS, 503),
    },
  });
  const batch = createRoute({
    method: 'post',
    path: '/v1/search/batch',
    operationId: 'searchBatch',
    tags: ['search'],
    summary: 'Several searches of one collection in one request',
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(deps.requests.SearchBatchRequest.openapi('SearchBatchRequest'), {
        collection: 'products',
        queries: [
          { query: 'running shoes', k: 3 },
          { vector: [0.6, 0.8, 0], k: 5, offset: 5 },
        ],
      }),
    },
    responses: {
      200: jsonResponse(
        SearchBatchResponseSchema.openapi('SearchBatchResponse'),
        "One list of hits per query, in the request's order.",
        { ...ANSWERED_BY, batches: [{ results: [EXAMPLE_HIT] }, { results: [] }] },
        { modelVersion: true },
      ),
      ...errorResponses(...BODY_ERRORS, 404, 409, ...V1_ERRORS, 503),
    },
  });

  /** The collection and model a search means, the pinned version checked; the stored vectors' source. */
  const target = (
    request: { collection?: string; model?: string; with_vector: boolean },
    first: QuerySpec,
  ) => {
    const { collection, model } = resolveCollection(deps.index, deps.registry, {
      collection: request.collection,
      model: parseModelRef(request.model).name,
      ...(first.query !== undefined && { kind: inputKindOf(first.query) }),
    });
    checkPinnedVersion(request.model, collection);
    if (request.with_vector && !catalog) {
      throw new ApiError(
        400,
        'invalid_request',
        `with_vector: this deployment does not keep the stored vectors of "${collection.name}" readable (see docs/workers.md)`,
      );
    }
    return { collection, model, vectors: request.with_vector ? catalog : undefined };
  };

  return new OpenAPIHono<AppEnv>()
    .openapi(single, async (c) => {
      const request = c.req.valid('json');
      const { collection, model, vectors } = target(request, request);
      c.set('modelVersion', modelVersionOf(model));
      const [query] = await queryVectors(deps, model, collection, [request], () => '');
      const body: SearchResponse = {
        collection: collection.name,
        model: model.manifest.name,
        model_version: model.manifest.version,
        results: await searchOne(deps, collection, query, request, vectors),
        ...searchMethod(collection, request),
      };
      return c.json(body, 200);
    })
    .openapi(batch, async (c) => {
      const request = c.req.valid('json');
      const { collection, model, vectors } = target(request, request.queries[0]);
      c.set('modelVersion', modelVersionOf(model));
      const queries = await queryVectors(deps, model, collection, request.queries, (i) => `queries.${i}.`);
      const body: SearchBatchResponse = {
        collection: collection.name,
        model: model.manifest.name,
        model_version: model.manifest.version,
        batches: await Promise.all(
          request.queries.map(async (spec, i) => ({
            results: await searchOne(deps, collection, queries[i], spec, vectors, `queries.${i}.`),
            ...searchMethod(collection, spec),
          })),
        ),
      };
      return c.json(body, 200);
    });
}

/**
 * How a search of a written collection runs, said in the answer: exactly with a filter, or while a write
 * has left the collection without its search graph. Published collections do not say.
 */
function searchMethod(collection: CollectionInfo, spec: Pick<QuerySpec, 'filter'>) {
  if (collection.search === undefined) return {};
  const filtered = spec.filter !== undefined && Object.keys(spec.filter).length > 0;
  return { search: filtered ? ('exact' as const) : collection.search };
}

/**
 * Each search's query as a unit vector of the collection's dims: texts and images embedded with the
 * collection's model (concurrent texts share one micro-batch), raw vectors checked and scaled.
 * `at(i)` prefixes the field names of query i in error messages.
 */
async function queryVectors(
  deps: AppDeps,
  model: LoadedModel,
  collection: CollectionInfo,
  specs: readonly QuerySpec[],
  at: (i: number) => string,
): Promise<Float32Array[]> {
  return Promise.all(
    specs.map(async (spec, i) => {
      if (spec.vector === undefined) {
        const [vector] = await embedRequestInputs(deps, model, [spec.query!], `${at(i)}query`);
        return vector;
      }
      return givenUnitVector(spec.vector, collection, `${at(i)}vector`);
    }),
  );
}

/** One page of hits: the index's best offset + k, the first `offset` skipped, cut at the threshold. */
async function searchOne(
  deps: AppDeps,
  collection: CollectionInfo,
  query: Float32Array,
  spec: QuerySpec,
  vectors: ItemCatalog | undefined,
  field = '',
): Promise<SearchHit[]> {
  if (spec.filter) checkFilter(spec.filter, collection, `${field}filter`);
  // A rerank reorders the nearest LEXICAL_RERANK_DEPTH whatever page is asked, so pages agree.
  const wanted = spec.offset + spec.k;
  const depth = spec.rerank ? Math.max(LEXICAL_RERANK_DEPTH, wanted) : wanted;
  const nearest = await deps.index.search(collection, query, depth, spec.filter);
  // The schema admits a rerank with text queries only.
  const hits = spec.rerank && typeof spec.query === 'string' ? rerankLexically(spec.query, nearest) : nearest;
  const threshold = spec.score_threshold ?? -Infinity;
  const page = hits.slice(spec.offset, spec.offset + spec.k).filter((hit) => hit.score >= threshold);
  if (!vectors) return page;
  const stored = await vectors
    .vectors(
      collection,
      page.map((hit) => hit.id),
    )
    .catch((error: unknown) => {
      // The catalog's refusal (a collection whose vectors it cannot read), said of the field that asked.
      throw error instanceof ApiError
        ? new ApiError(error.status, error.code, `with_vector: ${error.message}`)
        : error;
    });
  return page.map((hit) => ({ ...hit, vector: Array.from(stored.get(hit.id) ?? []) }));
}

/** A 400 naming the first filter field the collection cannot filter on, or whose value has the wrong type. */
export function checkFilter(filter: MetadataFilter, collection: CollectionInfo, field = 'filter'): void {
  const fields = new Map((collection.filterable ?? []).map((field) => [field.name, field.type]));
  const listed = [...fields.keys()].join(', ') || 'none';
  for (const [name, wanted] of Object.entries(filter)) {
    const type = fields.get(name);
    if (!type) {
      throw new ApiError(
        400,
        'invalid_request',
        `${field}.${name}: collection "${collection.name}" cannot filter on "${name}" (filterable fields: ${listed})`,
      );
    }
    const values = Array.isArray(wanted) ? wanted : [wanted];
    const fits = (value: unknown) =>
      type === 'integer'
        ? Number.isSafeInteger(value)
        : type === 'float'
          ? typeof value === 'number'
          : typeof value === (type === 'text' ? 'string' : 'boolean');
    if (!values.every(fits)) {
      throw new ApiError(400, 'invalid_request', `${field}.${name}: "${name}" takes ${type} values`);
    }
  }
}
