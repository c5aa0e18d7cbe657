import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { versionDir } from '../../shared/artifacts/layout.ts';
import { verifyVersion } from '../../shared/artifacts/verify.ts';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { createOnnxTextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { buildIndex } from '../../trainer/index/build-index.ts';
import { publishVersion } from '../../trainer/publish/publish.ts';
import { TEXT_COLLECTION, TEXT_MODEL } from './fixtures.ts';

/**
 * Test-only, run as its own process so that a test can SIGKILL it: publishes `tiny@<version>`, the model
 * files of `tiny@v1` with a new index of <count> generated items, built by the trainer's index builder
 * with the served ONNX model (seconds of work: a kill can land in the middle of it). It prints
 * `indexed <n>` after each committed batch.
 * Usage: node --import tsx publish-child.ts <artifacts dir> <version> <count>
 */
const [artifactsDir, version, count] = process.argv.slice(2);
const source = versionDir(artifactsDir, TEXT_MODEL, 'v1');
const { files, ...manifest } = await verifyVersion(source);
if (manifest.input.kind !== 'text') throw new Error(`${source} is not a text model`);
ort.env.wasm.numThreads = 1;
const embedder = await createOnnxTextEmbedder({
  ort,
  model: readFileSync(join(source, files.model_int8.path)),
  featurizer: createTextFeaturizer(manifest.input.featurizer),
  io: manifest.input.onnx,
  dim: manifest.embedding.dim,
});
const WORDS = [
  'red',
  'running',
  'shoes',
  'green',
  'tea',
  'brass',
  'lamp',
  'novel',
  'sea',
  'trail',
  'warm',
  'light',
];
const items = Array.from({ length: Number(count) }, (_, i) => ({
  id: `item-${i}`,
  text: `${WORDS[i % 12]} ${WORDS[(i * 7) % 12]} ${WORDS[(i * 5) % 12]} number ${i}`,
}));
const staging = await mkdtemp(join(tmpdir(), 'dml-edge-staging-'));
const index = join(staging, 'index.db');
await buildIndex({
  path: index,
  collection: { name: TEXT_COLLECTION },
  model: { name: TEXT_MODEL, version, dim: manifest.embedding.dim },
  items,
  embed: (texts) => embedder.embed(texts),
  onProgress: (done) => process.stdout.write(`indexed ${done}\n`),
});
await publishVersion({
  artifactsDir,
  files: { model: join(source, files.model.path), model_int8: join(source, files.model_int8.path), index },
  manifest: {
    ...manifest,
    version,
    created_at: new Date().toISOString(),
    collections: [{ name: TEXT_COLLECTION, items: items.length }],
  },
});
await embedder.release();
