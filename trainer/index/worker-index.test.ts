import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusteredUnitVectors } from '../../shared/ann/clustered-vectors.ts';
import { readShardHeader } from '../../shared/ann/shard-file.ts';
import { verifyVersion } from '../../shared/artifacts/verify.ts';
import { WORKER_INDEX_FILE } from '../../shared/artifacts/worker-index.ts';
import { publishVersion } from '../publish/publish.ts';
import { planR2Upload } from '../publish/r2.ts';
import { shardBytesPerItem, writeWorkerIndex } from './worker-index.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dml-edge-worker-index-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

const DIM = 32;
const ROWS = 1000;
const vectors = clusteredUnitVectors(ROWS, DIM, { clusters: 10, spread: 0.5, seed: 4 });
const items = Array.from({ length: ROWS }, (_, i) => ({
  id: `item-${i}`,
  text: `text ${i}`,
  metadata: { group: i % 4 },
}));
const options = (dir: string) => ({
  dir,
  collection: { name: 'things', filterable: [{ name: 'group', type: 'integer' as const }] },
  model: { name: 'm', version: 'v1', dim: DIM },
  vectors,
  items,
  graph: { m: 8, efConstruction: 32, seed: 0, minItems: 100 },
});

describe('writeWorkerIndex', () => {
  it('splits the items into consecutive shards with their own graphs and checksums, listing them last', async () => {
    const dir = await tempDir();
    const progress: string[] = [];
    const index = await writeWorkerIndex({
      ...options(dir),
      sharding: { shards: 3 },
      onShard: (shard, shards, count) => progress.push(`${shard + 1}/${shards}: ${count}`),
    });
    expect(progress).toEqual(['1/3: 333', '2/3: 333', '3/3: 334']);
    expect(index.shards.map((s) => [s.first, s.items])).toEqual([
      [0, 333],
      [333, 333],
      [666, 334],
    ]);
    for (const shard of index.shards) {
      for (const entry of [shard.bin, shard.records]) {
        const bytes = await readFile(join(dir, entry.path));
        expect(bytes.length).toBe(entry.bytes);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
      }
      const header = readShardHeader(
        new Uint8Array(await readFile(join(dir, shard.bin.path))),
        shard.bin.path,
      );
      expect({ rows: header.rows, first: header.first, graph: header.graph !== null }).toEqual({
        rows: shard.items,
        first: shard.first,
        graph: true,
      });
    }
    expect(JSON.parse(await readFile(join(dir, WORKER_INDEX_FILE), 'utf8'))).toEqual(index);
  });

  it('sizes shards by a byte budget, and refuses more shards than items', async () => {
    const perItem = shardBytesPerItem(DIM, 8, 1);
    const index = await writeWorkerIndex({ ...options(await tempDir()), sharding: { shardBytes: 1 << 20 } });
    expect(index.shards.length).toBe(Math.ceil((ROWS * perItem) / (1 << 20)));
    const small = await writeWorkerIndex({
      ...options(await tempDir()),
      sharding: { shardBytes: Math.floor((ROWS * perItem) / 1.5) },
    });
    expect(small.shards.length).toBe(2);
    for (const shard of small.shards) expect(shard.bin.bytes).toBeLessThan((ROWS * perItem) / 1.5 + 4096);
    await expect(
      writeWorkerIndex({ ...options(await tempDir()), sharding: { shards: ROWS + 1 } }),
    ).rejects.toThrow(/1001 shards for 1000 items/);
  });

  it('is published with its shards, verified shard by shard, and uploaded before the manifest and current', async () => {
    const staging = await tempDir();
    await writeWorkerIndex({ ...options(staging), sharding: { shards: 2 } });
    for (const file of ['model.onnx', 'model.int8.onnx'])
      await writeFile(join(staging, file), 'not a real model');
    const artifactsDir = await tempDir();
    const { dir } = await publishVersion({
      artifactsDir,
      files: {
        model: join(staging, 'model.onnx'),
        model_int8: join(staging, 'model.int8.onnx'),
        worker_index: join(staging, WORKER_INDEX_FILE),
      },
      manifest: {
        schema_version: 1,
        name: 'm',
        version: 'v1',
        created_at: new Date().toISOString(),
        task: 'text-similarity',
        input: {
          kind: 'text',
          featurizer: { buckets: 64 },
          onnx: { ids: 'ids', weights: 'weights', output: 'embedding' },
        },
        embedding: { dim: DIM, distance: 'cosine', normalized: true },
        collections: [{ name: 'things', items: ROWS }],
        training: { config: {}, backend: 'none', steps: 0, seconds: 0, run_id: 'test' },
        data_fingerprint: '0'.repeat(64),
        metrics: {},
      },
    });
    const keys = (await planR2Upload(artifactsDir)).map((object) => object.key);
    expect(keys).toEqual([
      'm/v1/worker-things-0000.bin',
      'm/v1/worker-things-0000.items',
      'm/v1/worker-things-0001.bin',
      'm/v1/worker-things-0001.items',
      'm/v1/model.onnx',
      'm/v1/model.int8.onnx',
      'm/v1/worker-index.json',
      'm/v1/manifest.json',
      'm/current',
    ]);
    const shard = join(dir, 'worker-things-0001.bin');
    const bytes = await readFile(shard);
    bytes[bytes.length - 1] ^= 1;
    await writeFile(shard, bytes);
    await expect(verifyVersion(dir)).rejects.toThrow(
      /worker-things-0001\.bin has sha256 [0-9a-f]{64}, the manifest says/,
    );
  });
});
