import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import type { z } from 'zod';
import { authenticate } from './auth/authenticate.ts';
import { requireScope } from './auth/require-scope.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { BatchingSchema, LimitsSchema, RateLimitsSchema } from './limits.ts';
import { consoleLogger, type Logger } from './logger.ts';
import type { AppMetrics } from './metrics.ts';
import { accessLog } from './middleware/access-log.ts';
import { CorsSchema, corsFor } from './middleware/cors.ts';
import {
  createErrorHandler,
  methodNotAllowedResponse,
  notFoundHandler,
  payloadTooLargeResponse,
} from './middleware/errors.ts';
import { requestMetrics } from './middleware/metrics.ts';
import { modelVersionHeader } from './middleware/model-version.ts';
import { type RateLimiters, rateLimitsFor, tokenBucketLimiters } from './middleware/rate-limit.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import { closeAfterUnreadBody } from './middleware/unread-body.ts';
import { openAiErrorShape } from './openai/error-shape.ts';
import { validationHook } from './openapi/validation-hook.ts';
import type {
  CollectionStore,
  Embedder,
  EventStore,
  ItemCatalog,
  KeyStore,
  LoadedModel,
  ModelRegistry,
  VectorIndex,
} from './ports.ts';
import { adminRoutes, type ModelAdmin } from './routes/admin.ts';
import { classifyRoutes } from './routes/classify.ts';
import { collectionItemRoutes } from './routes/collection-items.ts';
import { collectionWriteRoutes } from './routes/collection-writes.ts';
import { collectionRoutes } from './routes/collections.ts';
import { duplicatesRoutes } from './routes/duplicates.ts';
import { embedRoutes } from './routes/embed.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { itemRoutes } from './routes/items.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { modelRoutes } from './routes/models.ts';
import { OPENAI_EMBEDDINGS_PATH, openAiEmbeddingsRoutes } from './routes/openai-embeddings.ts';
import { DOCUMENT_CONFIG, openApiRoutes } from './routes/openapi.ts';
import { recommendRoutes } from './routes/recommend.ts';
import { searchRoutes } from './routes/search.ts';
import { similarityRoutes } from './routes/similarity.ts';
import { verifyRoutes } from './routes/verify.ts';
import { createRequestSchemas } from './schemas.ts';
import { servedEmbedder } from './served-embedder.ts';
import { withWrittenCollections, withWrittenItems } from './written-collections.ts';

export interface AppOptions {
  registry: ModelRegistry;
  index: VectorIndex;
  limits?: z.input<typeof LimitsSchema>;
  batching?: z.input<typeof BatchingSchema>;
  logger?: Logger;
  /** Stored item vectors and shipped histories: with it, /v1/recommend and /v1/items/{id}/similar exist. */
  catalog?: ItemCatalog;
  /**
   * Collections clients write: with it (and keys), POST /v1/collections and the item routes exist, and its
   * collections are searched beside the published ones.
   */
  collections?: CollectionStore;
  /** Where events are recorded: with it (and keys), POST /v1/users/{id}/events exists. */
  events?: EventStore;
  /** API keys: writes always need one with the write scope. */
  keys?: KeyStore;
  /** Reads need a key too (scope read); /healthz, /readyz, /openapi.json and /metrics stay open. */
  requireKeys?: boolean;
  /** Request rates per client address and per API key (off unless set), counted in this process. */
  rateLimits?: z.input<typeof RateLimitsSchema>;
  /**
   * Limiters to count requests with instead of `rateLimits`' token buckets (the Worker's: Cloudflare's
   * Rate Limiting binding, shared by every isolate).
   */
  rateLimiters?: RateLimiters;
  /** The client's address, for per-address rate limits (the Node adapter reads the socket). */
  clientAddress?: (c: Context<AppEnv>) => string | undefined;
  /** Browser origins allowed to call the API (none by default). */
  cors?: z.input<typeof CorsSchema>;
  /** Model reload and promotion: with it (and keys), the /v1/admin/ endpoints exist (scope admin). */
  admin?: ModelAdmin;
  /** One `info` line per request through `logger` (off unless set; the Node server turns it on). */
  accessLog?: boolean;
  /** Request, batch and model metrics: with it, GET /metrics serves them in the Prometheus text format. */
  metrics?: AppMetrics;
  /** GET /metrics needs a key with the read scope (it is open by default, like /healthz, for scrapers). */
  metricsNeedKey?: boolean;
  /** Why the server should get no traffic now (Node: it is shutting down), or undefined; see /readyz. */
  notReady?: () => string | undefined;
}

/**
 * The edge HTTP app. It sees only its ports, so Node and Workers run this same factory with different
 * adapters (`app.fetch` is a plain Request -> Response function).
 */
export function createApp(options: AppOptions): OpenAPIHono<AppEnv> {
  const limits = LimitsSchema.parse(options.limits ?? {});
  const batching = BatchingSchema.parse(options.batching ?? {});
  if (options.rateLimiters && options.rateLimits)
    throw new Error('give rateLimits (token buckets) or rateLimiters, not both');
  const limiters = rateLimitsFor(
    options.rateLimiters ?? tokenBucketLimiters(RateLimitsSchema.parse(options.rateLimits ?? {})),
    options.clientAddress,
  );
  const cors = corsFor(CorsSchema.parse(options.cors ?? {}));
  const { registry, collections } = options;
  assertCollectionsServable(registry, options.index);
  const index = collections ? withWrittenCollections(options.index, collections, registry) : options.index;

  const batchers = new WeakMap<LoadedModel, Embedder>();
  const deps: AppDeps = {
    registry,
    index,
    limits,
    requests: createRequestSchemas(limits),
    embedderFor(model) {
      let embedder = batchers.get(model);
      if (!embedder) batchers.set(model, (embedder = servedEmbedder(model, batching, options.metrics)));
      return embedder;
    },
    notReady: options.notReady ?? (() => undefined),
  };

  const { events, keys, admin } = options;
  const catalog =
    collections && options.catalog ? withWrittenItems(options.catalog, collections) : options.catalog;
  if (collections && !keys) throw new Error('written collections need a key store (writes need a key)');
  if ((options.requireKeys || events || admin) && !keys)
    throw new Error('requiring keys, recording events and the admin endpoints need a key store');
  if (events && !catalog) throw new Error('recording events needs the item catalog to check items against');
  if (options.metricsNeedKey && !(keys && options.metrics))
    throw new Error('a key for /metrics needs metrics and a key store');
  const logger = options.logger ?? consoleLogger;

  // Cheap refusals first: the address limit before the body is read, the key limit once the key is known.
  // Every route declares itself with createRoute (see routes/embed.ts); bodies that break a schema get the
  // hook's 400 naming each field, and /openapi.json is generated from the declarations.
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.use(requestId());
  // Outermost, so that every answer is logged and counted, refusals and errors included.
  if (options.accessLog) app.use(accessLog(logger));
  if (options.metrics) app.use(requestMetrics(options.metrics));
  app.use(securityHeaders());
  app.use(closeAfterUnreadBody());
  if (cors) app.use(cors);
  app.use(timing());
  app.use(modelVersionHeader());
  // Around every refusal on that path (methods, limits, keys), so OpenAI's clients can read them all.
  app.use(OPENAI_EMBEDDINGS_PATH, openAiErrorShape());
  app.use(methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }));
  if (limiters.perAddress) app.use('/v1/*', limiters.perAddress);
  app.use(
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: (c) => payloadTooLargeResponse(c, limits.maxBodyBytes),
    }),
  );
  app.onError(createErrorHandler(logger));
  app.notFound(notFoundHandler);
  if (keys) app.use('/v1/*', authenticate(keys));
  if (limiters.perKey) app.use('/v1/*', limiters.perKey);
  if (options.requireKeys && keys) app.use('/v1/*', requireScope(keys, 'read'));

  for (const routes of [
    healthRoutes,
    modelRoutes,
    collectionRoutes,
    embedRoutes,
    openAiEmbeddingsRoutes,
    similarityRoutes,
    duplicatesRoutes,
    classifyRoutes,
    verifyRoutes,
  ]) {
    app.route('/', routes(deps));
  }
  if (collections && keys) {
    app.route('/', collectionItemRoutes(deps, collections));
    app.route('/', collectionWriteRoutes(deps, { store: collections, keys }));
  }
  // With the catalog, searches can return the stored vectors.
  app.route('/', searchRoutes(deps, catalog));
  if (catalog) {
    app.route('/', recommendRoutes(deps, { catalog, events }));
    app.route('/', itemRoutes(deps, { catalog, events }));
    if (events && keys) app.route('/', eventRoutes(deps, { catalog, events, keys }));
  }
  if (admin && keys) app.route('/', adminRoutes(deps, { admin, keys }));
  if (options.metrics) {
    const guard = options.metricsNeedKey && keys ? requireScope(keys, 'read') : undefined;
    app.route('/', metricsRoutes(deps, options.metrics, guard));
  }
  app.route(
    '/',
    openApiRoutes(() => app.getOpenAPI31Document(DOCUMENT_CONFIG)),
  );
  return app;
}

/** A collection is searchable only with the very model version (and so dims) that embedded it. */
function assertCollectionsServable(registry: ModelRegistry, index: VectorIndex): void {
  for (const collection of index.collections()) {
    const model = registry.get(collection.model);
    const wanted = `${collection.model}@${collection.modelVersion}`;
    if (!model) throw new Error(`collection "${collection.name}" needs model ${wanted}, which is not loaded`);
    const { name, version } = model.manifest;
    if (version !== collection.modelVersion || model.embedder.dim !== collection.dims) {
      throw new Error(
        `collection "${collection.name}" was embedded with ${wanted} (${collection.dims} dims) ` +
          `but ${name}@${version} (${model.embedder.dim} dims) is loaded`,
      );
    }
  }
}
