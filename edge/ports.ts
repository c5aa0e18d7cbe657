import type { Manifest } from '../shared/manifest.ts';

/**
 * The ports the app factory takes. Node and Workers differ only in the adapters that fill them, so the
 * routes never see better-sqlite3, the file system, R2 or a particular onnxruntime build.
 */

/** Turns inputs into unit vectors with one model. */
export interface Embedder {
  readonly dim: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** One servable model version: its manifest and an embedder bound to it. */
export interface LoadedModel {
  readonly manifest: Manifest;
  readonly embedder: Embedder;
}

/** What the server knows about its models. */
export interface ModelRegistry {
  /** Every loaded model, default first. */
  list(): readonly LoadedModel[];
  /** The named model, or the default when `name` is undefined; undefined when no such model. */
  get(name?: string): LoadedModel | undefined;
}

export interface CollectionInfo {
  name: string;
  /** The model whose embeddings fill the collection (queries are embedded with it). */
  model: string;
  modelVersion: string;
  dims: number;
  distance: 'cosine';
  items: number;
  description?: string;
}

export interface SearchHit {
  id: string;
  /** Cosine similarity in [-1, 1]: larger is closer. */
  score: number;
  text: string | null;
  metadata: Record<string, unknown>;
}

/** Nearest-neighbour search over named collections. */
export interface VectorIndex {
  collections(): readonly CollectionInfo[];
  collection(name: string): CollectionInfo | undefined;
  /** Top-k items of a collection nearest to `query` (a unit vector of the collection's dims), best first. */
  search(collection: string, query: Float32Array, k: number): Promise<SearchHit[]>;
}
