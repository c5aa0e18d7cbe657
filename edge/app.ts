import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import type { z } from 'zod';
import { requireScope } from './auth/require-scope.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { BatchingSchema, LimitsSchema } from './limits.ts';
import { consoleLogger, type Logger } from './logger.ts';
import { createMicroBatcher } from './micro-batcher.ts';
import {
  createErrorHandler,
  methodNotAllowedResponse,
  notFoundHandler,
  payloadTooLargeResponse,
} from './middleware/errors.ts';
import { modelVersionHeader } from './middleware/model-version.ts';
import type {
  Embedder,
  EventStore,
  ItemCatalog,
  KeyStore,
  LoadedModel,
  ModelRegistry,
  VectorIndex,
} from './ports.ts';
import { collectionRoutes } from './routes/collections.ts';
import { duplicatesRoutes } from './routes/duplicates.ts';
import { embedRoutes } from './routes/embed.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { itemRoutes } from './routes/items.ts';
import { modelRoutes } from './routes/models.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { recommendRoutes } from './routes/recommend.ts';
import { searchRoutes } from './routes/search.ts';
import { similarityRoutes } from './routes/similarity.ts';
import { createRequestSchemas } from './schemas.ts';

export interface AppOptions {
  registry: ModelRegistry;
  index: VectorIndex;
  limits?: z.input<typeof LimitsSchema>;
  batching?: z.input<typeof BatchingSchema>;
  logger?: Logger;
  /** Stored item vectors and shipped histories: with it, /v1/recommend and /v1/items/{id}/similar exist. */
  catalog?: ItemCatalog;
  /** Where events are recorded: with it (and keys), POST /v1/users/{id}/events exists. */
  events?: EventStore;
  /** API keys: writes always need one with the write scope. */
  keys?: KeyStore;
  /** Reads need a key too (scope read); /healthz and /openapi.json stay open. */
  requireKeys?: boolean;
}

/**
 * The edge HTTP app. It sees only its ports, so Node and Workers run this same factory with different
 * adapters (`app.fetch` is a plain Request -> Response function).
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const limits = LimitsSchema.parse(options.limits ?? {});
  const batching = BatchingSchema.parse(options.batching ?? {});
  const { registry, index } = options;
  assertCollectionsServable(registry, index);

  const batchers = new WeakMap<LoadedModel, Embedder>();
  const deps: AppDeps = {
    registry,
    index,
    limits,
    requests: createRequestSchemas(limits),
    embedderFor(model) {
      let embedder = batchers.get(model);
      if (!embedder) batchers.set(model, (embedder = createMicroBatcher(model.embedder, batching)));
      return embedder;
    },
  };

  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(timing());
  app.use(modelVersionHeader());
  app.use(methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }));
  app.use(
    bodyLimit({
      maxSize: limits.maxBodyBytes,
      onError: (c) => payloadTooLargeResponse(c, limits.maxBodyBytes),
    }),
  );
  app.onError(createErrorHandler(options.logger ?? consoleLogger));
  app.notFound(notFoundHandler);
  const { catalog, events, keys } = options;
  if ((options.requireKeys || events) && !keys)
    throw new Error('requiring keys and recording events need a key store');
  if (events && !catalog) throw new Error('recording events needs the item catalog to check items against');
  if (options.requireKeys && keys) app.use('/v1/*', requireScope(keys, 'read'));

  for (const routes of [
    healthRoutes,
    modelRoutes,
    collectionRoutes,
    embedRoutes,
    similarityRoutes,
    duplicatesRoutes,
    searchRoutes,
    openApiRoutes,
  ]) {
    app.route('/', routes(deps));
  }
  if (catalog) {
    app.route('/', recommendRoutes(deps, { catalog, events }));
    app.route('/', itemRoutes(deps, { catalog, events }));
    if (events && keys) app.route('/', eventRoutes(deps, { catalog, events, keys }));
  }
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
