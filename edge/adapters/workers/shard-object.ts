import { artifactStoreFor, parseWorkerEnv } from './env.ts';
import {
  type ShardSearchReply,
  type ShardSearchRequest,
  ShardSearchRequestSchema,
} from './shard-protocol.ts';
import { type LoadedShard, loadShard } from './shard-store.ts';

/**
 * The Durable Object that serves one shard of a sharded collection (wrangler.toml binds it as SHARDS).
 * The Worker names each object after the shard's binary and its sha256, so one object holds one shard of
 * one version for its lifetime: it loads the shard from the same store as the Worker on its first search
 * (streamed into its own WebAssembly memory, checked against worker-index.json), keeps it, and answers
 * searches with local rows, scores and the records' byte ranges; the Worker merges the shards and reads
 * the records of the final hits. A failed load is not kept: the next search tries again.
 */
export class IndexShard {
  private loaded: Promise<LoadedShard> | undefined;

  constructor(
    _state: unknown,
    private readonly env: unknown,
  ) {}

  async fetch(request: Request): Promise<Response> {
    try {
      const parsed = ShardSearchRequestSchema.safeParse(await request.json());
      if (!parsed.success)
        return Response.json({ error: `bad shard request: ${parsed.error.message}` }, { status: 400 });
      return Response.json(await this.search(parsed.data));
    } catch (error) {
      return Response.json(
        { error: error instanceof Error ? error.message : String(error) },
        { status: 500 },
      );
    }
  }

  private async search(request: ShardSearchRequest): Promise<ShardSearchReply> {
    const shard = await this.load(request);
    return searchLoadedShard(shard, request);
  }

  private load(request: ShardSearchRequest): Promise<LoadedShard> {
    this.loaded ??= loadShard(artifactStoreFor(parseWorkerEnv(this.env)), request.bin, request.records).catch(
      (error: unknown) => {
        this.loaded = undefined;
        throw error;
      },
    );
    return this.loaded;
  }
}

/** One shard's answer, in the Durable Object or (one shard, no fan-out) in the Worker itself. */
export function searchLoadedShard(
  shard: LoadedShard,
  request: Pick<ShardSearchRequest, 'query' | 'k' | 'ef' | 'filter'>,
): ShardSearchReply {
  const { rows, scores } = shard.searcher.search(
    Float32Array.from(request.query),
    request.k,
    request.ef,
    request.filter,
  );
  return {
    rows: Array.from(rows),
    scores: Array.from(scores),
    ranges: Array.from(rows, (row) => shard.searcher.itemRange(row)),
    recordsEtag: shard.recordsEtag,
    memoryBytes: shard.memory.buffer.byteLength,
  };
}
