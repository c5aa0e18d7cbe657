import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import { readJson } from '../read-json.ts';
import { modelVersionOf, resolveCollection } from '../resolve.ts';
import type { SearchResponse } from '../schemas.ts';

export function searchRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/v1/search', async (c) => {
    const request = await readJson(c, deps.requests.SearchRequest);
    const collection = resolveCollection(deps.index, deps.registry, request.collection);
    const model = deps.registry.get(collection.model);
    // createApp checked that every collection's model is loaded, so a miss is an internal fault (500).
    if (!model) throw new Error(`collection ${collection.name} needs model ${collection.model}, not loaded`);
    c.set('modelVersion', modelVersionOf(model));
    const [query] = await deps.embedderFor(model).embed([request.query]);
    const body: SearchResponse = {
      collection: collection.name,
      model: model.manifest.name,
      results: await deps.index.search(collection.name, query, request.k),
    };
    return c.json(body);
  });
}
