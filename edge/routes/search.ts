import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { embedRequestInputs } from '../image/request-inputs.ts';
import type { CollectionInfo, MetadataFilter } from '../ports.ts';
import { readJson } from '../read-json.ts';
import { inputKindOf, modelVersionOf, resolveCollection } from '../resolve.ts';
import type { SearchResponse } from '../schemas.ts';

export function searchRoutes(deps: AppDeps): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/v1/search', async (c) => {
    const request = await readJson(c, deps.requests.SearchRequest);
    const { collection, model } = resolveCollection(deps.index, deps.registry, {
      collection: request.collection,
      model: request.model,
      kind: inputKindOf(request.query),
    });
    c.set('modelVersion', modelVersionOf(model));
    if (request.filter) checkFilter(request.filter, collection);
    const [query] = await embedRequestInputs(deps, model, [request.query], 'query');
    const body: SearchResponse = {
      collection: collection.name,
      model: model.manifest.name,
      results: await deps.index.search(collection, query, request.k, request.filter),
    };
    return c.json(body);
  });
}

/** A 400 naming the first filter field the collection cannot filter on, or whose value has the wrong type. */
export function checkFilter(filter: MetadataFilter, collection: CollectionInfo): void {
  const fields = new Map((collection.filterable ?? []).map((field) => [field.name, field.type]));
  const listed = [...fields.keys()].join(', ') || 'none';
  for (const [name, wanted] of Object.entries(filter)) {
    const type = fields.get(name);
    if (!type) {
      throw new ApiError(
        400,
        'invalid_request',
        `filter.${name}: collection "${collection.name}" cannot filter on "${name}" (filterable fields: ${listed})`,
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
      throw new ApiError(400, 'invalid_request', `filter.${name}: "${name}" takes ${type} values`);
    }
  }
}
