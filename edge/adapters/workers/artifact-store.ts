import { ModelNameSchema } from '../../../shared/manifest.ts';

/**
 * Read access to published artifacts by object key. Keys follow the artifacts folder's layout
 * (shared/artifacts/layout.ts) without a root: `<model>/current`, `<model>/<version>/manifest.json`,
 * `<model>/<version>/model.int8.onnx`, ... which is what `dml-edge upload --target r2` writes.
 */
export interface ArtifactStore {
  /** Where the artifacts come from, for messages: e.g. "R2 binding MODELS". */
  readonly label: string;
  /** Names of the models with objects in the store, sorted. */
  listModels(): Promise<string[]>;
  /** The object's bytes, or undefined when there is no such key. */
  get(key: string): Promise<ReadableStream<Uint8Array> | undefined>;
  getText(key: string): Promise<string | undefined>;
}

/** The part of Workers' static-assets binding (`[assets] binding`) the store uses. */
export interface AssetsBinding {
  fetch(input: string): Promise<Response>;
}

/** The part of Workers' R2Bucket binding the store uses. */
export interface R2BucketBinding {
  get(key: string): Promise<{ body: ReadableStream<Uint8Array>; text(): Promise<string> } | null>;
  list(options: {
    prefix?: string;
    delimiter?: string;
    cursor?: string;
  }): Promise<{ delimitedPrefixes: string[]; truncated: boolean; cursor?: string }>;
}

/** A layout path built with an empty root ('/tiny/v1/manifest.json') as an object key. */
export function objectKey(layoutPath: string): string {
  return layoutPath.replace(/^\/+/, '');
}

/** The object's bytes; throws naming the key and the store when there is no such object. */
export async function requireObject(store: ArtifactStore, key: string): Promise<ReadableStream<Uint8Array>> {
  const body = await store.get(key);
  if (!body) throw new Error(`${key} is missing from ${store.label}`);
  return body;
}

export function r2ArtifactStore(bucket: R2BucketBinding, bindingName: string): ArtifactStore {
  return {
    label: `R2 binding ${bindingName}`,
    async listModels() {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ delimiter: '/', ...(cursor ? { cursor } : {}) });
        names.push(...page.delimitedPrefixes.map((prefix) => prefix.replace(/\/$/, '')));
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return names.filter((name) => ModelNameSchema.safeParse(name).success).sort();
    },
    async get(key) {
      return (await bucket.get(key))?.body;
    },
    async getText(key) {
      return (await bucket.get(key))?.text();
    },
  };
}

/**
 * Artifacts deployed with the worker as static assets (`[assets] directory` pointing at an artifacts
 * folder). Assets cannot be listed, so the models to serve are named. Cloudflare caps each asset at
 * 25 MiB, and assets are public unless the worker runs first: see docs/workers.md.
 */
export function assetsArtifactStore(assets: AssetsBinding, models: readonly string[]): ArtifactStore {
  const read = async (key: string): Promise<Response | undefined> => {
    const response = await assets.fetch(`https://assets.invalid/${key}`);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw new Error(`static assets answered ${response.status} for ${key}`);
    return response;
  };
  const names = models.map((name) => ModelNameSchema.parse(name)).sort();
  return {
    label: 'static assets (ASSETS)',
    listModels: async () => names,
    async get(key) {
      return (await read(key))?.body ?? undefined;
    },
    async getText(key) {
      return (await read(key))?.text();
    },
  };
}
