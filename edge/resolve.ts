import type { TextInput } from '../shared/manifest.ts';
import { ApiError } from './errors.ts';
import type { RequestInput } from './image/request-inputs.ts';
import { parseModelRef } from './model-ref.ts';
import type { CollectionInfo, LoadedModel, ModelRegistry, VectorIndex } from './ports.ts';

/** What a request gives a model to embed: texts, or images (base64 files or pixel rows). */
export type InputKind = 'text' | 'image';

export function inputKindOf(input: RequestInput): InputKind {
  return typeof input === 'string' ? 'text' : 'image';
}

/** Whether the model embeds inputs of this kind. */
export function takes(model: LoadedModel, kind: InputKind): boolean {
  return model.manifest.input.kind === kind;
}

/**
 * The model a request that names none gets: the default model when it takes the request's kind of input,
 * otherwise the first loaded model that does (for texts a text-similarity model before any other text
 * model), otherwise the default model (which then refuses the input with a 400 naming what it takes).
 * So an image sent without a model goes to the image model, not to the default text model.
 */
export function defaultModelFor(registry: ModelRegistry, kind: InputKind): LoadedModel | undefined {
  const fallback = registry.get();
  if (!fallback || takes(fallback, kind)) return fallback;
  const models = registry.list();
  return (
    (kind === 'text'
      ? models.find((m) => takes(m, kind) && m.manifest.task === 'text-similarity')
      : undefined) ??
    models.find((m) => takes(m, kind)) ??
    fallback
  );
}

/**
 * The named model, or when `name` is undefined the one a request with this kind of input gets (see
 * defaultModelFor; texts unless told); 404 when there is no such model.
 */
export function resolveModel(
  registry: ModelRegistry,
  name: string | undefined,
  kind: InputKind = 'text',
): LoadedModel {
  const model = name === undefined ? defaultModelFor(registry, kind) : registry.get(name);
  if (model) return model;
  throw new ApiError(
    404,
    'model_not_found',
    name === undefined ? 'model: no default model is loaded' : `model: no model named "${name}" is loaded`,
  );
}

/**
 * The model a request's `model` field names (`<name>` or `<name>@<version>`; the default for this kind of
 * input when absent), at the version it pins: the serving version as it is; another published version
 * through `registry.pinned` (Node loads it on demand); where the registry cannot load one (Workers), a
 * 409 naming the version served. 404 for an unknown model or an unpublished version.
 */
export async function resolveModelRef(
  registry: ModelRegistry,
  ref: string | undefined,
  kind: InputKind = 'text',
  field = 'model',
): Promise<LoadedModel> {
  const { name, version } = parseModelRef(ref);
  const served = resolveModel(registry, name, kind);
  if (version === undefined || version === served.manifest.version) return served;
  if (!registry.pinned) {
    throw new ApiError(
      409,
      'version_not_served',
      `${field}: this deployment serves ${modelVersionOf(served)} only; ${ref} cannot be loaded beside it`,
    );
  }
  return registry.pinned(served.manifest.name, version);
}

/** A 409 when the request pins a version other than the one that embedded the collection. */
export function checkPinnedVersion(
  ref: string | undefined,
  collection: CollectionInfo,
  field = 'model',
): void {
  const { version } = parseModelRef(ref);
  if (version === undefined || version === collection.modelVersion) return;
  throw new ApiError(
    409,
    'version_mismatch',
    `${field}: collection "${collection.name}" was embedded with ${collection.model}@${collection.modelVersion}; ` +
      `a query embedded with version ${version} would not be comparable`,
  );
}

export interface CollectionRequest {
  /** The collection's name, as the request gives it. */
  collection?: string;
  /** The model the collection belongs to, as the request gives it. */
  model?: string;
  /**
   * The kind of the query, where there is one: it picks the model when the request names neither, or
   * when a shared name belongs to models of both kinds.
   */
  kind?: InputKind;
}

/**
 * The collection a request means, and the model that embeds its queries. Collections belong to models,
 * so two models may each hold a collection of the same name:
 * - `model` and `collection`: that model's collection of that name (404 when either is missing);
 * - `model` alone: that model's first collection;
 * - `collection` alone: the collection of that name; when several models hold one, the one whose model
 *   takes the query's kind of input if only one does, else the default model's, else a 400 naming the
 *   models to choose from;
 * - neither: the first collection of the model a request with this kind of input gets (defaultModelFor).
 */
export function resolveCollection(
  index: VectorIndex,
  registry: ModelRegistry,
  request: CollectionRequest,
): { collection: CollectionInfo; model: LoadedModel } {
  const { collection: name, kind } = request;
  const withModel = (collection: CollectionInfo) => {
    const model = registry.get(collection.model);
    // createApp checked that every collection's model is loaded, so a miss is an internal fault (500).
    if (!model) throw new Error(`collection ${collection.name} needs model ${collection.model}, not loaded`);
    return { collection, model };
  };
  const all = index.collections();

  if (request.model !== undefined) {
    const model = resolveModel(registry, request.model);
    const own = all.filter((c) => c.model === model.manifest.name);
    const collection = name === undefined ? own[0] : own.find((c) => c.name === name);
    if (collection) return withModel(collection);
    const listed = own.length > 0 ? ` (its collections: ${own.map((c) => c.name).join(', ')})` : '';
    throw new ApiError(
      404,
      'collection_not_found',
      name === undefined
        ? `collection: model "${model.manifest.name}" has no collection`
        : `collection: model "${model.manifest.name}" has no collection named "${name}"${listed}`,
    );
  }

  if (name === undefined) {
    const model = defaultModelFor(registry, kind ?? 'text');
    const collection = all.find((c) => c.model === model?.manifest.name);
    if (collection) return withModel(collection);
    throw new ApiError(
      404,
      'collection_not_found',
      'collection: the default model has no collection; name one',
    );
  }

  const named = all.filter((c) => c.name === name);
  if (named.length === 0) {
    throw new ApiError(404, 'collection_not_found', `collection: no collection named "${name}" is loaded`);
  }
  if (named.length === 1) return withModel(named[0]);
  const fitting = named.filter((c) => {
    const model = registry.get(c.model);
    return kind !== undefined && model !== undefined && takes(model, kind);
  });
  if (fitting.length === 1) return withModel(fitting[0]);
  const candidates = fitting.length > 0 ? fitting : named;
  const defaultName = registry.get()?.manifest.name;
  const ofDefault = candidates.find((c) => c.model === defaultName);
  if (ofDefault) return withModel(ofDefault);
  throw new ApiError(
    400,
    'ambiguous_collection',
    `collection: models ${candidates.map((c) => `"${c.model}"`).join(', ')} each hold a collection named "${name}": ` +
      'say which with "model"',
  );
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
    `model: "${name}" takes ${input.kind}s, not texts (${route} compares texts)`,
  );
}
