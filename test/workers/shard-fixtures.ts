import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeServer } from '../../edge/adapters/node/server.ts';
import { planR2Upload } from '../../trainer/publish/r2.ts';
import { testCatalogue } from '../fixtures/index-catalogue.ts';
import { publishTinyModel } from '../http/published-model.ts';
import type { SeedObject } from './node-fixtures.ts';
import type { RecordedReply } from './parity-requests.ts';
import { sendParityRequest } from './parity-requests.ts';
import { CATALOGUE_ITEMS, SHARD_COUNT, SHARD_SEARCHES } from './shard-searches.ts';

/**
 * The Node half of test/workers/shards.test.ts, run in its own process by shards-setup.ts: the same tiny
 * model published twice, its 1,500-item collection built as one Workers shard (`flat`) and as five
 * (`sharded`, served by Durable Objects), and the Node server's answers to the same searches over the
 * collection's index.db.
 */

export interface ShardFixtures {
  objects: SeedObject[];
  /** The Node server's answer to each of SHARD_SEARCHES over model `flat`. */
  nodeReplies: RecordedReply[];
}

export async function makeShardFixtures(artifactsDir: string): Promise<ShardFixtures> {
  const collection = (worker: { shards: number }) => ({
    name: 'catalogue',
    items: testCatalogue(CATALOGUE_ITEMS, 7),
    filterable: [
      { name: 'pos', type: 'text' as const },
      { name: 'rank', type: 'integer' as const },
    ],
    worker,
  });
  for (const [name, shards] of [
    ['flat', 1],
    ['sharded', SHARD_COUNT],
  ] as const) {
    const model = await publishTinyModel(artifactsDir, {
      name,
      version: 'v1',
      dim: 16,
      seed: 5,
      collection: collection({ shards }),
    });
    await model.embedder.release();
  }
  // Both must embed alike for their answers to be comparable: the same seed must give the same model.
  const modelHash = async (name: string) =>
    createHash('sha256')
      .update(await readFile(join(artifactsDir, name, 'v1', 'model.int8.onnx')))
      .digest('hex');
  if ((await modelHash('flat')) !== (await modelHash('sharded'))) {
    throw new Error(
      'the same seed trained two different models: the shard tests cannot compare their answers',
    );
  }

  const server = await startNodeServer({ port: 0, artifactsDir, defaultModel: 'flat' });
  const nodeReplies: RecordedReply[] = [];
  try {
    for (const search of SHARD_SEARCHES) {
      nodeReplies.push(
        await sendParityRequest(fetch, server.url, {
          method: 'POST',
          path: '/v1/search',
          body: { ...search, model: 'flat' },
        }),
      );
    }
  } finally {
    await server.close();
  }
  const objects = await Promise.all(
    (await planR2Upload(artifactsDir)).map(async ({ key, path }) => ({
      key,
      base64: (await readFile(path)).toString('base64'),
    })),
  );
  return { objects, nodeReplies };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [artifactsDir, output] = process.argv.slice(2);
  if (!artifactsDir || !output) throw new Error('usage: shard-fixtures.ts <artifacts dir> <output.json>');
  await writeFile(output, JSON.stringify(await makeShardFixtures(artifactsDir)));
  process.exit(0);
}
