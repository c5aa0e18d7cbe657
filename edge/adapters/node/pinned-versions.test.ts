import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PublishedModel, publishTinyModel, temporaryDir } from '../../../test/http/published-model.ts';
import { ApiError } from '../../errors.ts';
import { loadNodeModelRegistry, type NodeModelRegistry } from './model-registry.ts';
import { MAX_PINNED_VERSIONS } from './pinned-versions.ts';

// Pinned versions through the Node registry, over real published versions: v1 is current, v2..v4 are
// only published, one more than the cache keeps.
let artifacts: Awaited<ReturnType<typeof temporaryDir>>;
let registry: NodeModelRegistry;
const published = new Map<string, PublishedModel>();

beforeAll(async () => {
  artifacts = await temporaryDir('dml-edge-pinned-');
  for (const [i, version] of ['v4', 'v3', 'v2', 'v1'].entries()) {
    published.set(
      version,
      await publishTinyModel(artifacts.path, { name: 'tiny', version, dim: 8, seed: i + 1 }),
    );
  }
  registry = await loadNodeModelRegistry({ artifactsDir: artifacts.path });
});

afterAll(async () => {
  await registry?.close();
  await Promise.all([...published.values()].map((model) => model.embedder.release()));
  await artifacts?.remove();
});

const embedWith = async (version: string) =>
  (await registry.pinned!('tiny', version)).embedder.embed(['tea']);

describe('pinned versions on Node', () => {
  it('loads a published version on demand and embeds exactly as that version does', async () => {
    expect(registry.get('tiny')!.manifest.version).toBe('v1');
    for (const version of ['v2', 'v3']) {
      const [vector] = await embedWith(version);
      const [expected] = await published.get(version)!.embedder.embed(['tea']);
      expect(Array.from(vector)).toEqual(Array.from(expected));
      expect((await registry.pinned!('tiny', version)).manifest.version).toBe(version);
    }
  });

  it(`keeps at most ${MAX_PINNED_VERSIONS}: the least recently pinned is unloaded, and loaded again when pinned`, async () => {
    const v2 = await registry.pinned!('tiny', 'v2');
    expect(await registry.pinned!('tiny', 'v2')).toBe(v2);
    await registry.pinned!('tiny', 'v3');
    await registry.pinned!('tiny', 'v4');
    // v2 was the least recently pinned: its session is released, and a holder is told to retry.
    const refused = await v2.embedder.embed(['tea']).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 503, code: 'not_ready' });
    const again = await registry.pinned!('tiny', 'v2');
    expect(again).not.toBe(v2);
    const [expected] = await published.get('v2')!.embedder.embed(['tea']);
    expect(Array.from((await again.embedder.embed(['tea']))[0])).toEqual(Array.from(expected));
  });

  it('refuses an unpublished version with 404 version_not_found', async () => {
    await expect(registry.pinned!('tiny', 'v9')).rejects.toMatchObject({
      status: 404,
      code: 'version_not_found',
    });
  });
});
