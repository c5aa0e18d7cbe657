import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.ts';
import type { CollectionInfo, LoadedModel, ModelRegistry, VectorIndex } from './ports.ts';
import { defaultModelFor, resolveCollection, resolveModel } from './resolve.ts';

// Only what resolve.ts reads: a manifest's name, task and input kind.
function model(name: string, task: string, kind: 'text' | 'image'): LoadedModel {
  return { manifest: { name, task, input: { kind } }, embedder: { dim: 4 } } as unknown as LoadedModel;
}

function registryOf(models: LoadedModel[]): ModelRegistry {
  return {
    list: () => models,
    get: (name) => (name === undefined ? models[0] : models.find((m) => m.manifest.name === name)),
  };
}

function indexOf(collections: [model: string, name: string][]): VectorIndex {
  const infos = collections.map(
    ([model, name]): CollectionInfo => ({
      name,
      model,
      modelVersion: 'v1',
      dims: 4,
      distance: 'cosine',
      items: 1,
    }),
  );
  return {
    collections: () => infos,
    collection: (ref) => infos.find((c) => c.model === ref.model && c.name === ref.name),
    search: async () => [],
  };
}

const text = model('wordnet-text', 'text-similarity', 'text');
const big = model('wordnet-big', 'text-similarity', 'text');
const recs = model('movies', 'recommendation', 'text');
const shapes = model('shapes', 'image-similarity', 'image');

function refusal(run: () => unknown): { status: number; code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('resolveCollection: collections belong to models', () => {
  const index = indexOf([
    ['wordnet-text', 'wordnet'],
    ['wordnet-big', 'wordnet'],
    ['wordnet-big', 'glosses'],
    ['shapes', 'shapes'],
  ]);
  const registry = registryOf([text, big, shapes]);
  const resolve = (request: Parameters<typeof resolveCollection>[2]) => {
    const { collection, model } = resolveCollection(index, registry, request);
    return [collection.model, collection.name, model.manifest.name];
  };

  it('gives the named model its collection of that name', () => {
    expect(resolve({ collection: 'wordnet', model: 'wordnet-big' })).toEqual([
      'wordnet-big',
      'wordnet',
      'wordnet-big',
    ]);
    expect(resolve({ collection: 'wordnet', model: 'wordnet-text' })[0]).toBe('wordnet-text');
  });

  it("gives a name that several models hold to the default model's collection", () => {
    expect(resolve({ collection: 'wordnet' })[0]).toBe('wordnet-text');
  });

  it('gives a unique name to its one model, default or not', () => {
    expect(resolve({ collection: 'glosses' })[0]).toBe('wordnet-big');
  });

  it("gives a model alone its first collection, and neither the default model's first", () => {
    expect(resolve({ model: 'wordnet-big' }).slice(0, 2)).toEqual(['wordnet-big', 'wordnet']);
    expect(resolve({}).slice(0, 2)).toEqual(['wordnet-text', 'wordnet']);
  });

  it('answers 400 naming the models when a shared name has no default among them', () => {
    const noDefault = registryOf([shapes, text, big]);
    expect(refusal(() => resolveCollection(index, noDefault, { collection: 'wordnet' }))).toEqual({
      status: 400,
      code: 'ambiguous_collection',
      message:
        'collection: models "wordnet-text", "wordnet-big" each hold a collection named "wordnet": say which with "model"',
    });
  });

  it('answers 404 for an unknown model, or a model without that collection (listing its own)', () => {
    expect(refusal(() => resolve({ collection: 'wordnet', model: 'nope' }))).toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    expect(refusal(() => resolve({ collection: 'nope', model: 'wordnet-big' }))).toEqual({
      status: 404,
      code: 'collection_not_found',
      message:
        'collection: model "wordnet-big" has no collection named "nope" (its collections: wordnet, glosses)',
    });
    expect(refusal(() => resolve({ collection: 'nope' }))).toEqual({
      status: 404,
      code: 'collection_not_found',
      message: 'collection: no collection named "nope" is loaded',
    });
  });

  it('sends an image query that names no collection to the image model', () => {
    expect(resolve({ kind: 'image' })).toEqual(['shapes', 'shapes', 'shapes']);
    expect(resolve({ kind: 'text' })[0]).toBe('wordnet-text');
  });

  it('lets the query kind settle a name that a text and an image model both hold', () => {
    const mixed = indexOf([
      ['wordnet-text', 'products'],
      ['shapes', 'products'],
    ]);
    const noDefault = registryOf([big, text, shapes]);
    const pick = (kind: 'text' | 'image') =>
      resolveCollection(mixed, noDefault, { collection: 'products', kind }).model.manifest.name;
    expect(pick('image')).toBe('shapes');
    expect(pick('text')).toBe('wordnet-text');
  });
});

describe('the model a request that names none gets', () => {
  it('is the default when it takes the input, else the first model that does', () => {
    const registry = registryOf([text, recs, shapes]);
    expect(defaultModelFor(registry, 'text')).toBe(text);
    expect(defaultModelFor(registry, 'image')).toBe(shapes);
    expect(resolveModel(registry, undefined, 'image')).toBe(shapes);
    expect(resolveModel(registry, 'movies', 'image')).toBe(recs);
  });

  it('is a text-similarity model for texts when the default is an image model', () => {
    expect(defaultModelFor(registryOf([shapes, recs, big]), 'text')).toBe(big);
    expect(defaultModelFor(registryOf([shapes, recs]), 'text')).toBe(recs);
  });

  it('is the default when no model takes the input (which then refuses it, naming what it takes)', () => {
    expect(defaultModelFor(registryOf([text]), 'image')).toBe(text);
  });
});
