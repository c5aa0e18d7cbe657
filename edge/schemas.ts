// From @hono/zod-openapi: the same zod, extended first with .openapi() so routes can name components.
import { z } from '@hono/zod-openapi';
import { METADATA_COLUMN_TYPES } from '../shared/db/index-schema.ts';
import { ModelNameSchema, VersionSchema } from '../shared/manifest.ts';
import { LEXICAL_RERANK_DEPTH, LEXICAL_WEIGHT } from '../shared/search/lexical-rerank.ts';
import type { Limits } from './limits.ts';
import { ModelRefSchema } from './model-ref.ts';

/**
 * The HTTP contract: request bodies are parsed with these schemas, responses are typed by them, and
 * /openapi.json is generated from them, so the three cannot drift apart.
 */

export const ERROR_CODES = [
  'invalid_json',
  'invalid_request',
  'model_not_found',
  'collection_not_found',
  'ambiguous_collection',
  'collection_exists',
  'collection_stale',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'item_not_found',
  'user_not_found',
  'version_not_found',
  'version_not_served',
  'version_mismatch',
  'artifact_rejected',
  'rate_limited',
  'headers_too_large',
  'request_timeout',
  'not_ready',
  'shards_unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorResponseSchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string().describe('For humans; never contains file paths or stack traces.'),
  }),
});

/** Explanations cost one model run per distinct feature, so a request explains only a few pairs. */
export const MAX_EXPLAINED_PAIRS = 16;
/** Features listed per text in an explanation; the rest are summed into `rest`. */
export const EXPLAINED_FEATURES = 20;

/** Request bodies: their bounds come from the server's limits, so the OpenAPI document states them too. */
export function createRequestSchemas(limits: Limits) {
  const text = z
    .string()
    .max(limits.maxTextChars, `texts are at most ${limits.maxTextChars} characters`)
    .describe(`A text of at most ${limits.maxTextChars} characters.`);
  const model = ModelRefSchema.optional().describe(
    'The model to use, as `<name>` or pinned to a published version as `<name>@<version>`. Omitted: the default model, or when it does not take this kind of input, the first model that does (an image goes to the image model).',
  );
  const input = modelInputSchema(text, limits.maxImagePixels);

  return {
    EmbedRequest: z
      .object({
        inputs: z
          .array(input)
          .min(1, 'inputs must hold at least one input')
          .max(limits.maxBatch, `at most ${limits.maxBatch} inputs per request`)
          .describe('Texts for a text model, images for an image model; one kind per request.'),
        model,
      })
      .strict(),
    SimilarityRequest: z
      .object({
        pairs: z
          .array(z.tuple([input, input]))
          .describe('Pairs of texts for a text model, of images for an image model (as in /v1/embed).')
          .min(1, 'pairs must hold at least one pair')
          .max(limits.maxBatch, `at most ${limits.maxBatch} pairs per request`),
        model,
        explain: z
          .boolean()
          .default(false)
          .describe(
            `Also return, for each pair, the feature contributions that add up to its score (at most ${MAX_EXPLAINED_PAIRS} pairs).`,
          ),
      })
      .strict()
      .refine((r) => !r.explain || r.pairs.length <= MAX_EXPLAINED_PAIRS, {
        message: `explain: true takes at most ${MAX_EXPLAINED_PAIRS} pairs per request`,
        path: ['pairs'],
      }),
    DuplicatesRequest: z
      .object({
        texts: z
          .array(text)
          .min(1, 'texts must hold at least one text')
          .max(limits.maxBatch, `at most ${limits.maxBatch} texts per request`),
        threshold: z
          .number()
          .min(-1)
          .max(1)
          .optional()
          .describe(
            "Cosine at or above which two texts are duplicates; the model's calibrated threshold when omitted.",
          ),
        model,
      })
      .strict(),
    ...searchRequestSchemas(limits, input),
    ...recommendationRequestSchemas(limits),
    PromoteRequest: z
      .object({ version: VersionSchema.describe('A published version of the model, e.g. 20261128-0300.') })
      .strict(),
  };
}

/** How deep a search may page: offset + k is at most this many hits (a 400 naming `offset` beyond). */
export const MAX_SEARCH_DEPTH = 1000;
/** Queries in one POST /v1/search/batch. */
export const MAX_BATCH_QUERIES = 32;

/** Bodies of POST /v1/search and POST /v1/search/batch: a query by text, image or raw vector. */
function searchRequestSchemas(limits: Limits, input: ReturnType<typeof modelInputSchema>) {
  const kRange = `k must be between 1 and ${limits.maxK}`;
  const query = {
    query: input
      .optional()
      .describe("A text, or an image when the collection's model is an image model; or give `vector`."),
    vector: z
      .array(z.number())
      .min(1)
      .max(4096)
      .optional()
      .describe(
        "A raw query vector of the collection's dims (scaled to unit length: scores are cosines); or give `query`.",
      ),
    k: z.number().int().min(1, kRange).max(limits.maxK, kRange).default(limits.defaultK),
    offset: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe(`Hits to skip, for paging: offset + k is at most ${MAX_SEARCH_DEPTH}.`),
    score_threshold: z
      .number()
      .min(-1)
      .max(1)
      .optional()
      .describe('Only hits scoring at least this cosine (fewer than k when fewer reach it).'),
    filter: MetadataFilterSchema.optional(),
    rerank: z
      .enum(['lexical'])
      .optional()
      .describe(
        `'lexical': reorder the ${LEXICAL_RERANK_DEPTH} nearest hits by cosine + ${LEXICAL_WEIGHT} x their BM25 over ` +
          "those hits' texts (as a share of the best): lifts items that hold the query's words; deeper hits follow by cosine. Text queries only.",
      ),
  };
  const shared = {
    collection: ModelNameSchema.optional().describe(
      'The collection to search. Omitted: the first collection of `model`, else of the default model ' +
        '(of the first image model for an image query). A name several models hold: the one of `model`, ' +
        'else of the default model; otherwise a 400 (ambiguous_collection) naming them.',
    ),
    model: ModelRefSchema.optional().describe(
      'The model whose collection to search (collections belong to models, so two may hold one of the same name); pinned as `<name>@<version>`, it must be the version that embedded the collection (409 otherwise).',
    ),
    with_vector: z.boolean().default(false).describe("Also return each hit's stored vector."),
  };
  /** What is wrong with one query, path relative to it. */
  const queryProblems = (r: {
    query?: unknown;
    vector?: unknown;
    offset: number;
    k: number;
    rerank?: string;
  }) => [
    ...((r.query === undefined) === (r.vector === undefined)
      ? [{ path: 'query', message: 'give query or vector (one of them)' }]
      : []),
    ...(r.rerank !== undefined && typeof r.query !== 'string'
      ? [{ path: 'rerank', message: `rerank '${r.rerank}' reads the query's words: give a text query` }]
      : []),
    ...(r.offset + r.k > MAX_SEARCH_DEPTH
      ? [
          {
            path: 'offset',
            message: `offset + k is at most ${MAX_SEARCH_DEPTH} (searches page at most that deep)`,
          },
        ]
      : []),
  ];
  const QuerySchema = z.object(query).strict();
  return {
    SearchRequest: z
      .object({ ...query, ...shared })
      .strict()
      .superRefine((r, context) => {
        for (const { path, message } of queryProblems(r))
          context.addIssue({ code: 'custom', path: [path], message });
      }),
    SearchBatchRequest: z
      .object({
        ...shared,
        queries: z
          .array(QuerySchema)
          .min(1, 'queries must hold at least one query')
          .max(MAX_BATCH_QUERIES, `at most ${MAX_BATCH_QUERIES} queries per request`)
          .describe(
            'Searches of one collection, each with its own query or vector, k, offset, threshold and filter.',
          ),
      })
      .strict()
      .superRefine((r, context) => {
        r.queries.forEach((q, i) => {
          for (const { path, message } of queryProblems(q)) {
            context.addIssue({ code: 'custom', path: ['queries', i, path], message });
          }
        });
      }),
  };
}

/** Grey images larger than this many pixels per side are refused as raw pixel arrays (use PNG or JPEG). */
export const MAX_PIXEL_ROWS = 512;

/** What an embed or search input may be: a text, a base64 PNG/JPEG, or raw grey pixel rows. */
function modelInputSchema(text: z.ZodString, maxImagePixels: number) {
  return z.union([
    text,
    z
      .object({
        image: z
          .string()
          .min(1)
          .describe(
            `A PNG or JPEG image of at most ${maxImagePixels} pixels, base64 (a data: URL is accepted); converted to grey, padded to a square and resized to the model input.`,
          ),
      })
      .strict(),
    z
      .object({
        pixels: z
          .array(z.array(z.number().min(0).max(255)).min(1).max(MAX_PIXEL_ROWS))
          .min(1)
          .max(MAX_PIXEL_ROWS)
          .describe(
            'Grey pixel rows, 0 (black) to 255 (white), all of one length; resized to the model input.',
          ),
      })
      .strict(),
  ]);
}

const FilterScalarSchema = z.union([z.string().max(256), z.number(), z.boolean()]);

/** A search filter on a collection's filterable metadata fields (GET /v1/collections lists them). */
export const MetadataFilterSchema = z
  .record(
    z.string().min(1).max(64),
    z.union([
      FilterScalarSchema.describe('The field equals this value.'),
      z.array(FilterScalarSchema).min(1).max(64).describe('The field equals one of these values.'),
    ]),
  )
  .refine((filter) => Object.keys(filter).length <= 16, 'at most 16 filter fields')
  .describe(
    'Only items whose metadata matches every field: e.g. {"class": "Sneaker"} or {"label": [5, 7]}. Results are the exact top k among them.',
  );

/** Bodies of the recommendation endpoints (/v1/recommend, /v1/users/{id}/events). */
function recommendationRequestSchemas(limits: Limits) {
  const itemId = z
    .string()
    .min(1)
    .max(256)
    .describe('An item id of the collection, e.g. a MovieLens movieId.');
  const model = ModelRefSchema.optional().describe(
    'The recommendation model (and so its item collection); the first one loaded when omitted. Pinned as `<name>@<version>`, it must be the version that embedded the collection (409 otherwise).',
  );
  return {
    RecommendRequest: z
      .object({
        user_id: z
          .string()
          .min(1)
          .max(256)
          .optional()
          .describe("A user whose stored history (the model's data, then events recorded here) is used."),
        recent_items: z
          .array(itemId)
          .max(limits.maxBatch, `at most ${limits.maxBatch} recent_items`)
          .optional()
          .describe("The user's recent positive items, oldest first: after the stored history, if any."),
        k: z
          .number()
          .int()
          .min(1, `k must be between 1 and ${limits.maxK}`)
          .max(limits.maxK, `k must be between 1 and ${limits.maxK}`)
          .default(limits.defaultK),
        exclude_seen: z
          .boolean()
          .default(true)
          .describe('Leave out every item the user has interacted with.'),
        filter: MetadataFilterSchema.optional().describe(
          'As in /v1/search, on the collection\'s filterable fields, e.g. {"comedy": true, "year": [1994, 1995]}.',
        ),
        model,
      })
      .strict()
      .refine((r) => r.user_id !== undefined || (r.recent_items?.length ?? 0) > 0, {
        message: 'give user_id, recent_items or both',
        path: ['user_id'],
      }),
    EventsRequest: z
      .object({
        events: z
          .array(
            z
              .object({
                item_id: itemId,
                rating: z
                  .number()
                  .optional()
                  .describe("Explicit feedback; below the model's positive rating it is seen but not liked."),
                timestamp: z
                  .number()
                  .nonnegative()
                  .optional()
                  .describe('Seconds since the epoch; the time of arrival when omitted.'),
                id: z
                  .string()
                  .min(1)
                  .max(128)
                  .optional()
                  .describe(
                    "The client's id for the event (a UUID, say): an event whose id this user already has " +
                      'is not stored again, so resending a request whose answer was lost is harmless.',
                  ),
              })
              .strict(),
          )
          .min(1, 'events must hold at least one event')
          .max(limits.maxBatch, `at most ${limits.maxBatch} events per request`)
          .superRefine((events, context) => {
            const seen = new Set<string>();
            events.forEach((event, i) => {
              if (event.id === undefined) return;
              if (seen.has(event.id)) {
                context.addIssue({
                  code: 'custom',
                  path: [i, 'id'],
                  message: `event id ${JSON.stringify(event.id)} appears twice in this request`,
                });
              }
              seen.add(event.id);
            });
          }),
        model,
      })
      .strict(),
  };
}

export type RequestSchemas = ReturnType<typeof createRequestSchemas>;
export type EmbedRequest = z.infer<RequestSchemas['EmbedRequest']>;
export type SimilarityRequest = z.infer<RequestSchemas['SimilarityRequest']>;
export type DuplicatesRequest = z.infer<RequestSchemas['DuplicatesRequest']>;
export type SearchRequest = z.infer<RequestSchemas['SearchRequest']>;
export type SearchBatchRequest = z.infer<RequestSchemas['SearchBatchRequest']>;

/** What a Workers isolate holds, to watch a deployment against the 128 MB an isolate has. */
export const WorkerMemorySchema = z.object({
  wasm_bytes: z
    .object({
      onnxruntime: z.number().int().nonnegative(),
      sqlite: z.number().int().nonnegative(),
      shards: z.number().int().nonnegative(),
    })
    .describe("The size of each WebAssembly memory the isolate owns: ORT's, SQLite's, the loaded shards'."),
  total_wasm_bytes: z.number().int().nonnegative(),
  collections: z.array(
    z.object({
      collection: z.string(),
      model: z.string(),
      items: z.number().int().nonnegative(),
      shards: z.number().int().nonnegative(),
      where: z.enum(['isolate', 'durable-objects', 'sqlite']),
      shard_wasm_bytes: z
        .array(z.number().int().nonnegative())
        .describe("Each shard's WebAssembly memory; a Durable Object's as of its last answer (0: none yet)."),
    }),
  ),
});

/** Every answer that names a model names the version that answered too (X-Model-Version says both). */
const ModelVersionField = z.string().describe('The version of `model` that answered, e.g. 20261128-0300.');

export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  models: z.number().int().nonnegative(),
  collections: z.number().int().nonnegative(),
  memory: WorkerMemorySchema.optional().describe('Workers only.'),
});

export const ReadyResponseSchema = z.object({
  status: z.literal('ready'),
  models: z.number().int().positive(),
  collections: z.number().int().nonnegative(),
});

export const ModelInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  task: z.string(),
  default: z.boolean().describe('Whether requests that name no model get this one.'),
  dims: z.number().int().positive(),
  distance: z.string(),
  created_at: z.string(),
  collections: z.array(z.string()),
  metrics: z.record(z.string(), z.record(z.string(), z.number())),
});

export const ModelsResponseSchema = z.object({ models: z.array(ModelInfoSchema) });

/** A metadata field a collection's search can filter on, and the type of its values. */
export const FilterableFieldSchema = z.object({ name: z.string(), type: z.enum(METADATA_COLUMN_TYPES) });

export const CollectionInfoSchema = z.object({
  name: z.string(),
  model: z.string().describe('Queries are embedded with this model.'),
  model_version: z.string().describe('The version of `model` that embedded the items; queries use it too.'),
  dims: z.number().int().positive(),
  distance: z.literal('cosine'),
  items: z.number().int().nonnegative(),
  description: z.string().optional(),
  filterable: z
    .array(FilterableFieldSchema)
    .optional()
    .describe("Metadata fields a search's `filter` can name, with the type of their values."),
  writable: z
    .boolean()
    .optional()
    .describe('Written through the API (POST /v1/collections); absent for published ones.'),
  search: z
    .enum(['graph', 'exact'])
    .optional()
    .describe(
      'How a search without a filter runs now; a written collection is exact from its last write until its graph is rebuilt.',
    ),
  stale: z
    .boolean()
    .optional()
    .describe(
      'A written collection embedded by another version than its model serves now: 409 until reembed.',
    ),
});

export const CollectionsResponseSchema = z.object({ collections: z.array(CollectionInfoSchema) });

export const EmbedResponseSchema = z.object({
  model: z.string(),
  model_version: ModelVersionField,
  dims: z.number().int().positive(),
  embeddings: z.array(z.array(z.number())).describe('Unit vectors, one per input, in input order.'),
});

const FeatureContributionSchema = z.object({
  feature: z.string().describe('`w:` a word, `b:` a word bigram, `c:` a character n-gram within `<word>`.'),
  weight: z.number().describe("The feature's weight in the text (its count times its family weight)."),
  contribution: z.number().describe("This feature's share of the score."),
});

const SideExplanationSchema = z.object({
  features: z
    .array(FeatureContributionSchema)
    .describe(`The ${EXPLAINED_FEATURES} features with the largest contributions, largest magnitude first.`),
  rest: z.number().describe('The summed contribution of the features not listed.'),
});

export const PairExplanationSchema = z
  .object({
    a: SideExplanationSchema.describe("The first text's features."),
    b: SideExplanationSchema.describe("The second text's features."),
    bias: z.number().describe("The model's bias term."),
  })
  .describe(
    'Exact for the pooled bag model: the contributions of both texts plus both `rest` plus `bias` sum to the score. ' +
      "Feature f of one text contributes its pooling share times its projected row's dot product with the " +
      'other embedding, over twice its own unnormalised norm.',
  );

export const SimilarityResponseSchema = z.object({
  model: z.string(),
  model_version: ModelVersionField,
  scores: z.array(z.number().min(-1).max(1)).describe('Cosine similarity of each pair, in pair order.'),
  threshold: z
    .number()
    .optional()
    .describe("The model's calibrated match threshold (in its manifest); absent when it has none."),
  matches: z
    .array(z.boolean())
    .optional()
    .describe('Whether each score reaches the threshold, in pair order; present with `threshold`.'),
  explanations: z
    .array(PairExplanationSchema)
    .optional()
    .describe('With `explain: true`: per pair, terms that add up to its score.'),
});

export const SearchHitSchema = z.object({
  id: z.string(),
  score: z.number().describe('Cosine similarity in [-1, 1]: larger is closer.'),
  lexical_score: z
    .number()
    .optional()
    .describe(
      `With rerank 'lexical', for the ${LEXICAL_RERANK_DEPTH} nearest hits: the hit's BM25 for the query as a share of the best of them, in [0, 1]; they are ordered by score + ${LEXICAL_WEIGHT} x lexical_score.`,
    ),
  text: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  vector: z.array(z.number()).optional().describe('The stored vector, with `with_vector: true`.'),
});

/** How a search of a written collection ran (absent for published collections). */
const SearchMethodField = z
  .enum(['graph', 'exact'])
  .optional()
  .describe(
    "Written collections: 'exact' with a filter, and from a write until the collection's search graph is rebuilt; 'graph' otherwise.",
  );

export const SearchResponseSchema = z.object({
  collection: z.string(),
  model: z.string(),
  model_version: ModelVersionField,
  results: z.array(SearchHitSchema).describe('Best first.'),
  search: SearchMethodField,
});

export const SearchBatchResponseSchema = z.object({
  collection: z.string(),
  model: z.string(),
  model_version: ModelVersionField,
  batches: z
    .array(z.object({ results: z.array(SearchHitSchema).describe('Best first.'), search: SearchMethodField }))
    .describe("One per query, in the request's order."),
});

export const DuplicatesResponseSchema = z.object({
  model: z.string(),
  model_version: ModelVersionField,
  threshold: z.number().describe('The cosine threshold used.'),
  groups: z
    .array(z.array(z.number().int().nonnegative()))
    .describe(
      'Groups of near-duplicates as indices into `texts`: connected components of the graph whose edges ' +
        'are pairs scoring >= threshold (single linkage). Only groups of two or more; each ascending, ' +
        'ordered by first index.',
    ),
  pairs: z
    .array(z.object({ a: z.number().int(), b: z.number().int(), score: z.number() }))
    .describe('Every pair (a < b) scoring >= threshold, highest score first.'),
});

export const RecommendResponseSchema = z.object({
  model: z.string(),
  model_version: ModelVersionField,
  collection: z.string(),
  user_id: z.string().nullable(),
  based_on: z.array(z.string()).describe("The recent items the user's vector was pooled from, oldest first."),
  results: z
    .array(SearchHitSchema)
    .describe('Best first; `score` is the cosine of the user and item vectors.'),
});

export const SimilarItemsResponseSchema = z.object({
  model: z.string(),
  model_version: ModelVersionField,
  collection: z.string(),
  item: z.string(),
  results: z.array(SearchHitSchema).describe('Best first, without the item itself.'),
});

export const EventsResponseSchema = z.object({
  user_id: z.string(),
  model: z.string(),
  model_version: ModelVersionField,
  collection: z.string(),
  stored: z
    .number()
    .int()
    .nonnegative()
    .describe('Events committed by this request (answered with 201; 200 when it stored none).'),
  duplicates: z
    .number()
    .int()
    .nonnegative()
    .describe('Events whose `id` this user already had: not stored again (the earlier record stands).'),
  cursor: z
    .number()
    .int()
    .positive()
    .describe("The largest id among the request's events as recorded; events are numbered in arrival order."),
});

const ServingSchema = z
  .array(z.string())
  .describe('`<model>@<version>` of every model served once the request is done, sorted.');

export const ReloadResponseSchema = z.object({
  status: z
    .enum(['unchanged', 'swapped'])
    .describe('swapped: a `current` pointer had moved and its version now serves.'),
  serving: ServingSchema,
});

export const PromoteResponseSchema = z.object({
  model: z.string(),
  version: z.string().describe('The version now live.'),
  previous: z.string().nullable().describe('The version that was live before, if any.'),
  serving: ServingSchema,
});

export type HealthResponse = z.infer<typeof HealthResponseSchema>;
export type WorkerMemory = z.infer<typeof WorkerMemorySchema>;
export type ReadyResponse = z.infer<typeof ReadyResponseSchema>;
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
export type ModelsResponse = z.infer<typeof ModelsResponseSchema>;
export type CollectionsResponse = z.infer<typeof CollectionsResponseSchema>;
export type EmbedResponse = z.infer<typeof EmbedResponseSchema>;
export type SimilarityResponse = z.infer<typeof SimilarityResponseSchema>;
export type SearchResponse = z.infer<typeof SearchResponseSchema>;
export type SearchBatchResponse = z.infer<typeof SearchBatchResponseSchema>;
export type PairExplanation = z.infer<typeof PairExplanationSchema>;
export type DuplicatesResponse = z.infer<typeof DuplicatesResponseSchema>;
export type RecommendRequest = z.infer<RequestSchemas['RecommendRequest']>;
export type EventsRequest = z.infer<RequestSchemas['EventsRequest']>;
export type RecommendResponse = z.infer<typeof RecommendResponseSchema>;
export type SimilarItemsResponse = z.infer<typeof SimilarItemsResponseSchema>;
export type EventsResponse = z.infer<typeof EventsResponseSchema>;
export type ReloadResponse = z.infer<typeof ReloadResponseSchema>;
export type PromoteResponse = z.infer<typeof PromoteResponseSchema>;
