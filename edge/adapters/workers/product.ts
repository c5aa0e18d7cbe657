import { currentPointerPath, parseCurrentPointer } from '../../../shared/artifacts/layout.ts';
import type { AppOptions } from '../../app.ts';
import type { ModelRegistry, VectorIndex } from '../../ports.ts';
import { type ArtifactStore, objectKey } from './artifact-store.ts';
import { d1State } from './d1-state.ts';
import { wasmItemCatalog } from './item-catalog.ts';
import { readManifest } from './model-registry.ts';
import { workerClientAddress, workerRateLimiters } from './rate-limiters.ts';
import type { WorkerStateEnv } from './state-env.ts';
import type { WasmVecIndex } from './wasm-vec-index.ts';

/**
 * What the Worker passes createApp beyond models and indexes, so it serves the whole product as the
 * Node server does: the item catalog (recommendations, similar items) over the indexes it already holds,
 * events and API keys in D1 (STATE), the key policy, and rate limits counted by Cloudflare's Rate
 * Limiting bindings.
 */
export function workerProductOptions(
  index: VectorIndex,
  env: WorkerStateEnv,
): Pick<AppOptions, 'catalog' | 'events' | 'keys' | 'requireKeys' | 'rateLimiters' | 'clientAddress'> {
  const catalog = isWasmVecIndex(index) ? wasmItemCatalog(index) : undefined;
  const state = env.STATE ? d1State(env.STATE) : undefined;
  const rateLimiters = workerRateLimiters(env, env.RATE_LIMIT_PERIOD);
  return {
    ...(catalog && { catalog }),
    ...(state && { keys: state.keys, requireKeys: env.REQUIRE_KEYS }),
    // Events are checked against the catalogue's items: without an index there is nothing to record.
    ...(state && catalog && { events: state.events }),
    rateLimiters,
    ...(rateLimiters.perAddress && { clientAddress: workerClientAddress }),
  };
}

function isWasmVecIndex(index: VectorIndex): index is WasmVecIndex {
  return typeof (index as Partial<WasmVecIndex>).database === 'function';
}

/** `<model>@<version>` of every loaded model, sorted and comma-joined: a generation's versions. */
export function servedVersions(registry: ModelRegistry): string {
  return registry
    .list()
    .map(({ manifest }) => `${manifest.name}@${manifest.version}`)
    .sort()
    .join(',');
}

/**
 * What the `current` pointers in the store name now, in servedVersions' form: one list and one small
 * read per model. Models without a pointer are not live, as when the registry loads.
 */
export async function currentVersions(store: ArtifactStore): Promise<string> {
  const live: string[] = [];
  for (const model of await store.listModels()) {
    const key = objectKey(currentPointerPath('', model));
    const text = await store.getText(key);
    if (text !== undefined) live.push(`${model}@${parseCurrentPointer(text, key).version}`);
  }
  return live.sort().join(',');
}

/**
 * Checks, before a release-first switch frees what serves, that every version the pointers name has its
 * manifest in the store (reads the manifests only): a pointer to a version that was never uploaded is
 * refused while the old versions serve on.
 */
export async function verifyCurrentVersions(store: ArtifactStore, versions: string): Promise<void> {
  for (const named of versions.split(',').filter(Boolean)) {
    const at = named.lastIndexOf('@');
    await readManifest(store, named.slice(0, at), named.slice(at + 1));
  }
}
