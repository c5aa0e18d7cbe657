import type { z } from 'zod';
import type { Manifest } from '../shared/manifest.ts';
import type {
  CollectionInfoSchema,
  FilterableFieldSchema,
  MetadataFilterSchema,
  SearchHitSchema,
} from './schemas.ts';

/**
 * The ports the app factory takes. Node and Workers differ only in the adapters that fill them, so the
 * routes never see better-sqlite3, the file system, R2 or a particular onnxruntime build.
 */

/** Turns inputs into unit vectors with one model. */
export interface Embedder {
  readonly dim: number;
  /** Texts -> unit vectors. A model that takes no text rejects with a 400 ApiError. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /**
   * Image models only: images already prepared for the model (normalised pixels, height x width each;
   * see shared/image/model-input.ts) -> unit vectors.
   */
  embedImages?(images: readonly Float32Array[]): Promise<Float32Array[]>;
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
  /**
   * A published version of a served model other than the one serving, for requests that pin it
   * (`model@version`): loaded on demand and kept in a small bounded cache. Rejects with a 404 ApiError
   * (version_not_found) when that version is not published. Absent where only the serving versions fit
   * (Workers: the isolate's memory); such requests get a 409 naming the version served.
   */
  pinned?(name: string, version: string): Promise<LoadedModel>;
}

/** A metadata field a collection's search can filter on, and the type of its values. */
export type FilterableField = z.output<typeof FilterableFieldSchema>;

/** Field name -> the value it must equal, or a list of values one of which it must equal; fields AND. */
export type MetadataFilter = z.output<typeof MetadataFilterSchema>;
export type FilterValue = Exclude<MetadataFilter[string], readonly unknown[]>;

/**
 * Names one collection. Collections belong to the model whose embeddings fill them, so two models may each
 * hold a collection of the same name (say two text models, each with its own `wordnet`).
 */
export interface CollectionRef {
  /** The model whose embeddings fill the collection. */
  readonly model: string;
  readonly name: string;
}

type CollectionInfoBody = z.output<typeof CollectionInfoSchema>;

/**
 * A collection as GET /v1/collections describes it (see CollectionInfoSchema for each field), with the
 * version that embedded its items as `modelVersion` (`model_version` in the body).
 */
export type CollectionInfo = Omit<CollectionInfoBody, 'model_version'> & {
  modelVersion: CollectionInfoBody['model_version'];
};

/** A search result as the body carries it, without the vector (added by the route on request). */
export type SearchHit = Omit<z.output<typeof SearchHitSchema>, 'vector'>;

/** Nearest-neighbour search over collections, each named within its model (see CollectionRef). */
export interface VectorIndex {
  /** Every collection, in the order the models were loaded (the default model's first). */
  collections(): readonly CollectionInfo[];
  collection(ref: CollectionRef): CollectionInfo | undefined;
  /**
   * Top-k items of a collection nearest to `query` (a unit vector of the collection's dims), best first;
   * with a filter, the exact top k among the items whose metadata matches it.
   */
  search(
    collection: CollectionRef,
    query: Float32Array,
    k: number,
    filter?: MetadataFilter,
  ): Promise<SearchHit[]>;
}

/** An item as a client writes it, its vector already made (embedded by the server, or given). */
export interface WrittenItem {
  id: string;
  /** A unit vector of the collection's dims. */
  vector: Float32Array;
  /** Returned with search hits: the item's text input, or null. */
  text: string | null;
  /**
   * The input the server embedded (a text or an image, as JSON), kept so that the items can be embedded
   * again by a newly promoted model version; null for a vector the client gave.
   */
  source: string | null;
  /** Must carry every filterable field of the collection, with a value of its type. */
  metadata: Record<string, unknown>;
}

/** A collection to create, bound to the model version that will embed its items. */
export interface NewCollection extends CollectionRef {
  modelVersion: string;
  dims: number;
  description?: string;
  filterable?: FilterableField[];
}

/** One page of a collection's items, in id order; `next` is the id to list after, null on the last page. */
export interface ItemPage {
  items: WrittenItem[];
  next: string | null;
}

/** Every item's stored input, with the collection's revision when they were read (see CollectionStore.rebind). */
export interface ItemSources {
  revision: number;
  items: { id: string; source: string | null }[];
}

/**
 * Collections clients create and write over HTTP, searched like the published ones. Each is bound to the
 * model version that embedded it. Every write is all-or-nothing and durable once it resolves, and bumps
 * the collection's revision; a write also drops the collection's search graph (search is exact until
 * buildGraph), so a graph never answers for items it does not hold.
 */
export interface CollectionStore extends VectorIndex {
  /** Throws when the model already has a collection of that name. */
  create(collection: NewCollection): Promise<CollectionInfo>;
  drop(collection: CollectionRef): Promise<void>;
  /**
   * Inserts the new ids and replaces the stored ones (ids distinct within a call), their vectors made by
   * `modelVersion`; writes nothing and answers the version it is bound to when that is another one (it
   * was embedded again meanwhile).
   */
  upsert(
    collection: CollectionRef,
    items: readonly WrittenItem[],
    modelVersion: string,
  ): Promise<{ created: number; updated: number } | { boundTo: string }>;
  /** Deletes the given ids; returns those that were stored. */
  remove(collection: CollectionRef, ids: readonly string[]): Promise<string[]>;
  item(collection: CollectionRef, id: string): Promise<WrittenItem | undefined>;
  /** Up to `limit` items with ids after `after` (from the first without it). */
  page(collection: CollectionRef, after: string | undefined, limit: number): Promise<ItemPage>;
  /** The stored vectors of the given items; ids the collection lacks are absent (as ItemCatalog.vectors). */
  vectors(collection: CollectionRef, ids: readonly string[]): Promise<Map<string, Float32Array>>;
  sources(collection: CollectionRef): Promise<ItemSources>;
  /**
   * Replaces every item's vector with one embedded by `modelVersion` and binds the collection to it, in
   * one transaction; false (nothing written) when the collection was written since `revision`, or when
   * `vectors` lacks one of its items.
   */
  rebind(
    collection: CollectionRef,
    change: { revision: number; modelVersion: string; vectors: ReadonlyMap<string, Float32Array> },
  ): Promise<boolean>;
  /** Builds the collection's search graph from its items as they are now. */
  buildGraph(collection: CollectionRef): Promise<void>;
}

/** What a recommendation model shipped about one user: their interactions up to its training data. */
export interface ShippedHistory {
  /** Positive items, oldest first: what the user vector pools. */
  positives: string[];
  /** Every item the user interacted with, positive or not: what exclude_seen leaves out. */
  seen: string[];
}

/** Stored items and histories of the collections a recommendation model recommends from. */
export interface ItemCatalog {
  /** The stored vectors of the given items of a collection; ids the collection lacks are absent. */
  vectors(collection: CollectionRef, ids: readonly string[]): Promise<Map<string, Float32Array>>;
  /** The history shipped with the collection for a user; undefined for a user it does not know. */
  history(collection: CollectionRef, user: string): Promise<ShippedHistory | undefined>;
}

export interface NewEvent {
  item: string;
  /** null: an implicit interaction (a view, a purchase), always positive. */
  rating: number | null;
  /** Seconds since the epoch. */
  timestamp: number;
  /**
   * The client's own id for the event (1 to 128 characters): an event whose id the user already has in
   * the collection is not stored again, so a retried request is harmless. Absent: stored as it comes.
   */
  clientId?: string | null;
}

export interface StoredEvent extends NewEvent {
  /** Increases with every stored event: the retrain job's cursor. */
  id: number;
  collection: string;
  user: string;
}

/** What an append did: the request's events as recorded, and how many of them it stored. */
export interface AppendedEvents {
  /**
   * In the order given: the events stored now and, for a client id recorded before, the earlier record
   * (which stands: a retry never changes a stored event).
   */
  events: StoredEvent[];
  /** How many of `events` this call stored; the others were recorded earlier under their client ids. */
  stored: number;
}

/** Interactions recorded at the edge: they change recommendations at once and feed the next retraining. */
export interface EventStore {
  /**
   * Stores every new event or none (one transaction); resolves once they are committed. Client ids must
   * be distinct within one call.
   */
  append(collection: string, user: string, events: readonly NewEvent[]): Promise<AppendedEvents>;
  /** The user's events in a collection, oldest first (by timestamp, then by arrival). */
  history(collection: string, user: string): Promise<StoredEvent[]>;
}

/** read: the read endpoints when the server requires keys; write: also record events; admin: everything. */
export type ApiKeyScope = 'read' | 'write' | 'admin';

export interface StoredApiKey {
  id: string;
  scope: ApiKeyScope;
  /** sha256 (hex) of the whole key; the key itself is never stored. */
  sha256: string;
  revoked: boolean;
}

/** API keys as the edge checks them. */
export interface KeyStore {
  find(id: string): Promise<StoredApiKey | undefined>;
}

export type Admission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

/**
 * Counts requests against one limit, by bucket (a client address, an API key id). Node keeps token
 * buckets in the process (edge/middleware/token-buckets.ts); the Worker asks Cloudflare's Rate Limiting
 * binding, which every isolate of a location shares.
 */
export interface RateLimiter {
  /** The limit in words, for the 429 message: "at most 10 per second, in bursts of up to 20". */
  readonly limit: string;
  /** Counts one request of `bucket`; refuses it, with a time to wait, beyond the limit. */
  take(bucket: string): Admission | Promise<Admission>;
}
