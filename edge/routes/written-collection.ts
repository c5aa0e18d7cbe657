import type { AppDeps } from '../context.ts';
import { ApiError } from '../errors.ts';
import { parseModelRef } from '../model-ref.ts';
import type { CollectionInfo, LoadedModel } from '../ports.ts';
import { checkPinnedVersion, resolveCollection } from '../resolve.ts';

/**
 * The written collection a path names (`/v1/collections/{name}/...`, `model` choosing among models that
 * each hold one of that name), and its model. A published collection is the trainer's: writing to it is a
 * 405 that says so, reading its items here a 404.
 */
export function writtenCollection(
  deps: AppDeps,
  name: string,
  model: string | undefined,
  purpose: 'write' | 'read',
): { collection: CollectionInfo; model: LoadedModel } {
  const found = resolveCollection(deps.index, deps.registry, {
    collection: name,
    model: parseModelRef(model).name,
  });
  if (found.collection.writable) {
    checkPinnedVersion(model, found.collection);
    return found;
  }
  const what = `collection "${name}" of model ${found.collection.model} is published with the model by the trainer`;
  if (purpose === 'read') {
    throw new ApiError(
      404,
      'collection_not_found',
      `${what}: its items are served by /v1/search, not listed here`,
    );
  }
  throw new ApiError(
    405,
    'method_not_allowed',
    `${what} and cannot be written: create a collection of your own with POST /v1/collections`,
  );
}
