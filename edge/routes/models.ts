import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import type { LoadedModel } from '../ports.ts';
import type { ModelInfo, ModelsResponse } from '../schemas.ts';

export function modelRoutes({ registry }: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().get('/v1/models', (c) => {
    const defaultModel = registry.get();
    const body: ModelsResponse = { models: registry.list().map((m) => describeModel(m, m === defaultModel)) };
    return c.json(body);
  });
}

function describeModel({ manifest }: LoadedModel, isDefault: boolean): ModelInfo {
  return {
    name: manifest.name,
    version: manifest.version,
    task: manifest.task,
    default: isDefault,
    dims: manifest.embedding.dim,
    distance: manifest.embedding.distance,
    created_at: manifest.created_at,
    collections: manifest.collections.map((collection) => collection.name),
    metrics: manifest.metrics,
  };
}
