import { z } from 'zod';
import { type WorkerIndex, WorkerIndexSchema } from '../../../shared/artifacts/worker-index.ts';
import { collectionKey, describeCollection, requireCollection } from '../../collection-key.ts';
import { ApiError } from '../../errors.ts';
import type { CollectionInfo, CollectionRef, MetadataFilter, SearchHit, VectorIndex } from '../../ports.ts';
import { checkSearchArguments } from '../knn-query.ts';
import type { ArtifactStore } from './artifact-store.ts';
import { requireObject } from './artifact-store.ts';
import { searchLoadedShard } from './shard-object.ts';
import {
  ShardFailureSchema,
  type ShardNamespace,
  type ShardSearchReply,
  ShardSearchReplySchema,
  type ShardSearchRequest,
} from './shard-protocol.ts';
import { type LoadedShard, loadShard, type ShardFileRef } from './shard-store.ts';
import { readVerified } from './verified-read.ts';

/** A worker-index.json to open: its key (in the store) and its manifest entry. */
export interface WorkerIndexSource {
  key: string;
  entry: ShardFileRef['entry'];
}

export interface CompactIndexOptions {
  /** Where sharded collections' shards run; without it every shard loads in this isolate. */
  shards?: ShardNamespace;
  /** How long a shard may take to answer before the search fails naming it. */
  shardTimeoutMs: number;
}

export interface CompactIndex extends VectorIndex {
  /** Bytes of the WebAssembly memories of the shards loaded in this isolate. */
  memoryBytes(): number;
  /** Items and shards per collection, and where the shards run. */
  layout(): {
    collection: string;
    model: string;
    items: number;
    shards: number;
    where: 'isolate' | 'durable-objects';
    /** Each shard's WebAssembly memory: in this isolate, or as its Durable Object last reported it (0: not yet). */
    shard_wasm_bytes: number[];
  }[];
}

interface Shard {
  index: number;
  bin: ShardFileRef;
  records: ShardFileRef;
  first: number;
  /** Loaded in this isolate; absent when a Durable Object serves it. */
  local?: LoadedShard;
  /** The memory its Durable Object reported with its last answer. */
  reportedBytes: number;
}

interface OpenCollection {
  info: CollectionInfo;
  ef: number;
  shards: Shard[];
  remote: boolean;
}

const RecordSchema = z.object({
  id: z.string(),
  text: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});

/**
 * The VectorIndex port over worker indexes (worker-index.json and its shards, written by the trainer at
 * index time; shared/ann/shard-file.ts). A collection of one shard, or any collection when no Durable
 * Object namespace is bound, is loaded into this isolate at start-up; a collection of several shards is
 * served by one Durable Object per shard (shard-object.ts). A search goes to every shard at once, and the
 * k best of their answers (by score, then collection position) are the hits; only their records are read,
 * by byte range from the shards' items files. Without a filter a shard with a graph is searched through
 * it as on Node; otherwise the search is exact. Scores are within about 1e-5 of Node's float32 cosine.
 * A shard that fails or does not answer within `shardTimeoutMs` fails the search with 503
 * `shards_unavailable`, naming it: never a silently shorter list.
 */
export async function openCompactIndex(
  store: ArtifactStore,
  sources: readonly WorkerIndexSource[],
  options: CompactIndexOptions,
): Promise<CompactIndex> {
  const byKey = new Map<string, OpenCollection>();
  for (const source of sources) {
    const index = await readWorkerIndex(store, source);
    const dir = source.key.slice(0, source.key.lastIndexOf('/') + 1);
    const remote = options.shards !== undefined && index.shards.length > 1;
    const shards: Shard[] = [];
    for (const [i, shard] of index.shards.entries()) {
      const bin = { key: `${dir}${shard.bin.path}`, entry: shard.bin };
      const records = { key: `${dir}${shard.records.path}`, entry: shard.records };
      shards.push({
        index: i,
        bin,
        records,
        first: shard.first,
        reportedBytes: 0,
        ...(remote ? {} : { local: await loadShard(store, bin, records) }),
      });
    }
    const info = collectionInfo(index);
    const key = collectionKey(info);
    if (byKey.has(key)) throw new Error(`collection ${describeCollection(info)} is in two worker indexes`);
    byKey.set(key, { info, ef: index.ef, shards, remote });
  }

  const collections = [...byKey.values()];
  return {
    collections: () => collections.map((c) => c.info),
    collection: (ref) => byKey.get(collectionKey(ref))?.info,
    async search(
      ref: CollectionRef,
      query: Float32Array,
      k: number,
      filter?: MetadataFilter,
    ): Promise<SearchHit[]> {
      const collection = requireCollection(byKey, ref);
      checkSearchArguments(query, collection.info.dims, k);
      const request = {
        query: Array.from(query),
        k,
        ef: collection.ef,
        ...(filter && Object.keys(filter).length > 0
          ? { filter: filter as ShardSearchRequest['filter'] }
          : {}),
      };
      const replies = await askShards(collection, request, options);
      return readRecords(store, mergeTopK(collection.shards, replies, k));
    },
    memoryBytes: () =>
      collections.reduce(
        (sum, c) => sum + c.shards.reduce((s, shard) => s + (shard.local?.memory.buffer.byteLength ?? 0), 0),
        0,
      ),
    layout: () =>
      collections.map((c) => ({
        collection: c.info.name,
        model: c.info.model,
        items: c.info.items,
        shards: c.shards.length,
        where: c.remote ? 'durable-objects' : 'isolate',
        shard_wasm_bytes: c.shards.map(
          (shard) => shard.local?.memory.buffer.byteLength ?? shard.reportedBytes,
        ),
      })),
  };
}

async function readWorkerIndex(store: ArtifactStore, source: WorkerIndexSource): Promise<WorkerIndex> {
  const bytes = new Uint8Array(source.entry.bytes);
  await readVerified(await requireObject(store, source.key), source.key, source.entry, bytes);
  try {
    return WorkerIndexSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    throw new Error(`${source.key} is not a valid worker index: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function collectionInfo(index: WorkerIndex): CollectionInfo {
  const { collection } = index;
  return {
    name: collection.name,
    model: collection.model,
    modelVersion: collection.model_version,
    dims: collection.dims,
    distance: 'cosine',
    items: collection.items,
    ...(collection.description === undefined ? {} : { description: collection.description }),
    ...(collection.filterable.length > 0 ? { filterable: collection.filterable } : {}),
  };
}

type Query = Pick<ShardSearchRequest, 'query' | 'k' | 'ef' | 'filter'>;

/** Every shard's answer; fails naming each shard that failed or did not answer in time. */
async function askShards(
  collection: OpenCollection,
  query: Query,
  options: CompactIndexOptions,
): Promise<ShardSearchReply[]> {
  const namespace = options.shards;
  if (!collection.remote || !namespace) {
    // In this isolate: an error here is the request's (a bad filter), not a shard's.
    return collection.shards.map((shard) => searchLoadedShard(shard.local as LoadedShard, query));
  }
  const settled = await Promise.allSettled(
    collection.shards.map((shard) =>
      withTimeout(askDurableObject(namespace, shard, query), options.shardTimeoutMs),
    ),
  );
  const failed = settled.flatMap((result, i) =>
    result.status === 'rejected'
      ? [`shard ${i} (${(result.reason as Error)?.message ?? String(result.reason)})`]
      : [],
  );
  if (failed.length > 0) {
    throw new ApiError(
      503,
      'shards_unavailable',
      `${failed.length} of ${collection.shards.length} shards of collection ${describeCollection(collection.info)} did not answer: ${failed.join('; ')}; no partial result is given, retry the search`,
    );
  }
  return settled.map((result, i) => {
    const reply = (result as PromiseFulfilledResult<ShardSearchReply>).value;
    collection.shards[i].reportedBytes = reply.memoryBytes;
    return reply;
  });
}

async function askDurableObject(
  namespace: ShardNamespace,
  shard: Shard,
  query: Query,
): Promise<ShardSearchReply> {
  // One object per shard file content: a new version's shard is a new object, loaded fresh.
  const stub = namespace.get(namespace.idFromName(`${shard.bin.key}@${shard.bin.entry.sha256}`));
  const body: ShardSearchRequest = { bin: shard.bin, records: shard.records, ...query };
  const response = await stub.fetch('https://shard/search', { method: 'POST', body: JSON.stringify(body) });
  const json: unknown = await response.json();
  if (!response.ok) {
    const failure = ShardFailureSchema.safeParse(json);
    throw new Error(failure.success ? failure.data.error : `status ${response.status}`);
  }
  return ShardSearchReplySchema.parse(json);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface MergedHit {
  shard: Shard;
  score: number;
  position: number;
  range: [number, number];
  etag: string;
}

/** The k best hits of all shards: by score, ties to the earlier collection position (as one shard orders them). */
function mergeTopK(shards: readonly Shard[], replies: readonly ShardSearchReply[], k: number): MergedHit[] {
  const all = replies.flatMap((reply, i) =>
    reply.rows.map((row, j) => ({
      shard: shards[i],
      score: reply.scores[j],
      position: shards[i].first + row,
      range: reply.ranges[j],
      etag: reply.recordsEtag,
    })),
  );
  return all.sort((a, b) => b.score - a.score || a.position - b.position).slice(0, k);
}

async function readRecords(store: ArtifactStore, hits: readonly MergedHit[]): Promise<SearchHit[]> {
  return Promise.all(
    hits.map(async (hit) => {
      const [start, end] = hit.range;
      const bytes = await store.getRange(hit.shard.records.key, start, end - start, hit.etag);
      const record = RecordSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
      return { id: record.id, score: hit.score, text: record.text, metadata: record.metadata };
    }),
  );
}

/** One VectorIndex over several (worker indexes and SQLite ones), collections in the models' order. */
export function combineIndexes(modelOrder: readonly string[], indexes: readonly VectorIndex[]): VectorIndex {
  const owner = (ref: CollectionRef) => indexes.find((index) => index.collection(ref) !== undefined);
  const rank = (model: string) => modelOrder.indexOf(model);
  return {
    collections: () =>
      indexes.flatMap((index) => index.collections()).sort((a, b) => rank(a.model) - rank(b.model)),
    collection: (ref) => owner(ref)?.collection(ref),
    search: (ref, query, k, filter) => {
      const index = owner(ref);
      if (!index) return Promise.reject(new Error(`unknown collection ${describeCollection(ref)}`));
      return index.search(ref, query, k, filter);
    },
  };
}
