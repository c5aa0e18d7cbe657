import type { TextInput } from '../shared/manifest.ts';
import { ApiError } from './errors.ts';
import type { CollectionInfo, LoadedModel, ModelRegistry, VectorIndex } from './ports.ts';

/** The named model, or the default one; 404 when there is no such model. */
export function resolveModel(registry: ModelRegistry, name: string | undefined): LoadedModel {
  const model = registry.get(name);
  if (model) return model;
  throw new ApiError(
    404,
    'model_not_found',
    name === undefined ? 'no default model is loaded' : `no model named "${name}" is loaded`,
  );
}

/** The named collection, or the default model's first collection; 404 when there is none. */
export function resolveCollection(
  index: VectorIndex,
  registry: ModelRegistry,
  name: string | undefined,
): CollectionInfo {
  if (name !== undefined) {
    const collection = index.collection(name);
    if (collection) return collection;
    throw new ApiError(404, 'collection_not_found', `no collection named "${name}" is loaded`);
  }
  const defaultModel = registry.get()?.manifest.name;
  const collection = index.collections().find((c) => c.model === defaultModel);
  if (collection) return collection;
  throw new ApiError(404, 'collection_not_found', 'the default model has no collection; name one');
}

/** The value of the X-Model-Version header. */
export function modelVersionOf(model: LoadedModel): string {
  return `${model.manifest.name}@${model.manifest.version}`;
}

/** A text model's input description; 400 when a route that compares texts is given an image model. */
export function textInputOf(model: LoadedModel, route: string): TextInput {
  const { input, name } = model.manifest;
  if (input.kind === 'text') return input;
  throw new ApiError(
    400,
    'invalid_request',
    `model "${name}" takes ${input.kind}s, not texts (${route} compares texts)`,
  );
}
