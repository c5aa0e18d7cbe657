import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import type { z } from 'zod';
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
import type { Embedder, LoadedModel, ModelRegistry, VectorIndex } from './ports.ts';
import { collectionRoutes } from './routes/collections.ts';
import { embedRoutes } from './routes/embed.ts';
import { healthRoutes } from './routes/health.ts';
import { modelRoutes } from './routes/models.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { searchRoutes } from './routes/search.ts';
import { similarityRoutes } from './routes/similarity.ts';
import { createRequestSchemas } from './schemas.ts';

export interface AppOptions {
  registry: ModelRegistry;
  index: VectorIndex;
  limits?: z.input<typeof LimitsSchema>;
  batching?: z.input<typeof BatchingSchema>;
  logger?: Logger;
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

  for (const routes of [
    healthRoutes,
    modelRoutes,
    collectionRoutes,
    embedRoutes,
    similarityRoutes,
    searchRoutes,
    openApiRoutes,
  ]) {
    app.route('/', routes(deps));
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
