import scanKernel from '../../../shared/ann/scan-kernel/scan.wasm';
import { ShardSearcher, shardMemory } from '../../../shared/ann/shard-search.ts';
import type { FileEntry } from '../../../shared/manifest.ts';
import int8Kernel from './ann/int8-score.wasm';
import { type ArtifactStore, requireObject } from './artifact-store.ts';
import { readVerified } from './verified-read.ts';

/** A file of a worker index: its object key and its entry in worker-index.json. */
export interface ShardFileRef {
  key: string;
  entry: FileEntry;
}

/** A shard ready to search: the binary in its own WebAssembly memory, the items file checked. */
export interface LoadedShard {
  searcher: ShardSearcher;
  memory: WebAssembly.Memory;
  /** The items file's tag in the store, which every later range read must still match. */
  recordsEtag: string;
}

/**
 * Loads a shard: streams its binary straight into a WebAssembly memory of its size (checking size and
 * sha256 on the way), and streams its items file through the hash once without keeping it; the hits'
 * records are later read by byte range, pinned to the content that was checked.
 */
export async function loadShard(
  store: ArtifactStore,
  bin: ShardFileRef,
  records: ShardFileRef,
): Promise<LoadedShard> {
  const memory = shardMemory(bin.entry.bytes);
  await readVerified(
    await requireObject(store, bin.key),
    bin.key,
    bin.entry,
    new Uint8Array(memory.buffer, 0, bin.entry.bytes),
  );
  const searcher = new ShardSearcher(memory, bin.entry.bytes, bin.key, {
    scan: scanKernel,
    int8: int8Kernel,
  });
  const tagged = await store.getTagged(records.key);
  if (!tagged) throw new Error(`${records.key} is missing from ${store.label}`);
  await readVerified(tagged.body, records.key, records.entry);
  return { searcher, memory, recordsEtag: tagged.etag };
}
