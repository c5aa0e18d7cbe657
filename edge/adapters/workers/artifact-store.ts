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
  /** The object's bytes and a tag of this exact content (R2's etag), or undefined when there is no such key. */
  getTagged(key: string): Promise<{ body: ReadableStream<Uint8Array>; etag: string } | undefined>;
  /**
   * `length` bytes from `offset` of the object, which must still have content `etag` (as getTagged gave
   * it when the whole object was verified): throws naming the key when it is missing, changed or short.
   */
  getRange(key: string, offset: number, length: number, etag: string): Promise<Uint8Array>;
}

/** The part of Workers' static-assets binding (`[assets] binding`) the store uses. */
export interface AssetsBinding {
  fetch(input: string | Request): Promise<Response>;
}

/** The part of Workers' R2Bucket binding the store uses. */
export interface R2BucketBinding {
  /** With an `onlyIf` that fails, R2 answers the object's metadata without a body. */
  get(
    key: string,
    options?: { range?: { offset: number; length: number }; onlyIf?: { etagMatches: string } },
  ): Promise<{ body?: ReadableStream<Uint8Array>; etag: string; text?(): Promise<string> } | null>;
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
      return (await bucket.get(key))?.text?.();
    },
    async getTagged(key) {
      const object = await bucket.get(key);
      return object?.body ? { body: object.body, etag: object.etag } : undefined;
    },
    async getRange(key, offset, length, etag) {
      const object = await bucket.get(key, { range: { offset, length }, onlyIf: { etagMatches: etag } });
      if (!object) throw new Error(`${key} is missing from R2 binding ${bindingName}`);
      if (!object.body) throw new Error(`${key} changed in R2 binding ${bindingName} since it was verified`);
      return exactBytes(key, new Uint8Array(await new Response(object.body).arrayBuffer()), length);
    },
  };
}

function exactBytes(key: string, bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length !== length) throw new Error(`${key}: asked for ${length} bytes, got ${bytes.length}`);
  return bytes;
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
    async getTagged(key) {
      const response = await read(key);
      if (!response?.body) return undefined;
      // Static assets change only with a deploy, which replaces the isolate: the tag needs no checking.
      return { body: response.body, etag: response.headers.get('etag') ?? '' };
    },
    async getRange(key, offset, length) {
      const response = await assets.fetch(
        new Request(`https://assets.invalid/${key}`, {
          headers: { range: `bytes=${offset}-${offset + length - 1}` },
        }),
      );
      if (response.status !== 206 && response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`static assets answered ${response.status} for a range of ${key}`);
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      return exactBytes(
        key,
        response.status === 200 ? bytes.subarray(offset, offset + length) : bytes,
        length,
      );
    },
  };
}
