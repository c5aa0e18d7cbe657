import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeServer } from '../../edge/adapters/node/server.ts';
import { planR2Upload } from '../../trainer/publish/r2.ts';
import { publishTinyModel } from '../http/published-model.ts';
import {
  ITEMS,
  PARITY_REQUESTS,
  type ParityName,
  type RecordedReply,
  sendParityRequest,
  TOPIC_ITEMS,
} from './parity-requests.ts';

/**
 * The Node half of the workerd suites, run as its own process by global-setup.ts (the workerd project
 * resolves packages for workerd, so onnxruntime-web's Node build cannot load in the setup itself): the
 * trainer trains and publishes two tiny models into `artifactsDir`, each with an index (the second's
 * collection labelled, for /v1/classify); the Node server
 * answers the parity requests; and the R2 objects `dml-edge upload --target r2` would write are listed
 * with their bytes. The folder itself is served as static assets to the workerd tests.
 */

export interface SeedObject {
  key: string;
  base64: string;
}

export interface NodeFixtures {
  /** In upload order: the worker's bucket is filled with these. */
  r2Objects: SeedObject[];
  nodeReplies: Record<ParityName, RecordedReply>;
}

export async function makeNodeFixtures(artifactsDir: string): Promise<NodeFixtures> {
  const published = [
    await publishTinyModel(artifactsDir, {
      name: 'tiny',
      version: 'v1',
      dim: 8,
      seed: 1,
      collection: { name: 'products', description: 'a few products', items: ITEMS },
    }),
    await publishTinyModel(artifactsDir, {
      name: 'another',
      version: 'v3',
      dim: 12,
      seed: 2,
      collection: { name: 'topics', description: 'labelled items', items: TOPIC_ITEMS, labelField: 'topic' },
    }),
  ];
  await Promise.all(published.map((model) => model.embedder.release()));

  const server = await startNodeServer({ port: 0, artifactsDir, defaultModel: 'tiny' });
  const nodeReplies: Partial<Record<ParityName, RecordedReply>> = {};
  try {
    for (const name of Object.keys(PARITY_REQUESTS) as ParityName[]) {
      nodeReplies[name] = await sendParityRequest(fetch, server.url, PARITY_REQUESTS[name]);
    }
  } finally {
    await server.close();
  }

  const r2Objects = await Promise.all(
    (await planR2Upload(artifactsDir)).map(async ({ key, path }) => ({
      key,
      base64: (await readFile(path)).toString('base64'),
    })),
  );
  return { r2Objects, nodeReplies: nodeReplies as Record<ParityName, RecordedReply> };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [artifactsDir, output] = process.argv.slice(2);
  if (!artifactsDir || !output) throw new Error('usage: node-fixtures.ts <artifacts dir> <output.json>');
  await writeFile(output, JSON.stringify(await makeNodeFixtures(artifactsDir)));
  process.exit(0);
}
