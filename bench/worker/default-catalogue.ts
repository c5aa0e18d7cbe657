import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readCurrent, versionDir } from '../../shared/artifacts/index.ts';
import { WORKER_INDEX_FILE } from '../../shared/artifacts/worker-index.ts';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { createOnnxTextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { initTextEncoder } from '../../trainer/encoder/text-encoder.ts';
import { exportTextEncoderOnnx, TEXT_ENCODER_IO } from '../../trainer/export/onnx-text-encoder.ts';
import { buildIndex } from '../../trainer/index/build-index.ts';
import { publishVersion } from '../../trainer/publish/publish.ts';
import { TextConfigSchema } from '../../trainer/tasks/text/config.ts';
import { synsetText } from '../../trainer/tasks/text/data/wordnet.ts';
import { loadWordNetDataset } from '../../trainer/tasks/text/data/wordnet-dataset.ts';
import { nodeOrt } from '../../trainer/util/ort.ts';
import { DEFAULT_TEXT_CONFIG } from '../published.ts';

/**
 * A stand-in for the default deployment, for the Workers memory figures when the default model has not
 * been trained: the default config's exact architecture (featurizer buckets, embedding and output dims),
 * exported to int8 ONNX as the pipeline exports it, but with its initial (untrained) weights, and the
 * whole WordNet catalogue (every synset, as the text index stage builds it) embedded by it, with the
 * search graph and the Workers index. Same file sizes, item count, dims, texts and graph shape as the
 * published default; only the search quality differs (recall is measured against exact search on the
 * same vectors, so it does not depend on the weights).
 */
export const STAND_IN = { name: 'wordnet-text', version: 'stand-in-untrained' } as const;

export interface DefaultCatalogue {
  artifactsDir: string;
  /** What was measured, for the notes. */
  description: string;
}

/** The published default model when there is one, else the stand-in (built once into `cacheDir`). */
export async function defaultCatalogue(artifactsDir: string, cacheDir: string): Promise<DefaultCatalogue> {
  const current = await readCurrent(artifactsDir, STAND_IN.name).catch(() => undefined);
  if (
    current &&
    existsSync(join(versionDir(artifactsDir, STAND_IN.name, current.version), WORKER_INDEX_FILE))
  ) {
    return { artifactsDir, description: `the published ${STAND_IN.name} ${current.version} (trained)` };
  }
  const standInDir = join(cacheDir, 'stand-in-artifacts');
  if (!(await readCurrent(standInDir, STAND_IN.name).catch(() => undefined))) await buildStandIn(standInDir);
  return {
    artifactsDir: standInDir,
    description:
      `a stand-in for ${STAND_IN.name}: the default config's architecture exported to int8 ONNX with untrained ` +
      'weights (bench/worker/default-catalogue.ts), and all 117,791 WordNet synsets embedded by it with the ' +
      'search graph and the Workers index, as the pipeline builds them',
  };
}

async function buildStandIn(artifactsDir: string): Promise<void> {
  const config = TextConfigSchema.parse(JSON.parse(readFileSync(DEFAULT_TEXT_CONFIG, 'utf8')));
  const weights = initTextEncoder(config.featurizer.buckets, config.model, config.seed);
  const featurizer = createTextFeaturizer(config.featurizer);
  await mkdir(resolve(artifactsDir, '..'), { recursive: true });
  const staging = await mkdtemp(join(resolve(artifactsDir, '..'), 'staging-'));
  try {
    const files = { model: join(staging, 'model.onnx'), model_int8: join(staging, 'model.int8.onnx') };
    const int8 = exportTextEncoderOnnx(weights, { precision: 'int8' });
    await writeFile(files.model, exportTextEncoderOnnx(weights, { precision: 'fp32' }));
    await writeFile(files.model_int8, int8);
    const embedder = await createOnnxTextEmbedder({
      ort: nodeOrt(),
      model: int8,
      featurizer,
      io: TEXT_ENCODER_IO,
      dim: config.model.outputDim,
    });
    const items = loadWordNetDataset({ seed: config.seed, ...config.data }).all.map((synset) => ({
      id: synset.id,
      text: synsetText(synset),
      metadata: { pos: synset.pos, lexname: synset.lexname, lemmas: synset.lemmas },
    }));
    const index = join(staging, 'index.db');
    try {
      await buildIndex({
        path: index,
        collection: { name: config.index.collection, description: config.index.description },
        model: { name: STAND_IN.name, version: STAND_IN.version, dim: config.model.outputDim },
        items,
        embed: (texts) => embedder.embed(texts),
        worker: {},
        onProgress: (done, total) => {
          if (done % 20_000 < 256) console.log(`stand-in: embedded ${done}/${total}`);
        },
        onGraphProgress: (linked, total) => {
          if (linked % 20_480 === 0 || linked === total) console.log(`stand-in: graph ${linked}/${total}`);
        },
      });
    } finally {
      await embedder.release();
    }
    await mkdir(artifactsDir, { recursive: true });
    await publishVersion({
      artifactsDir,
      files: { ...files, index, worker_index: join(staging, WORKER_INDEX_FILE) },
      manifest: {
        schema_version: 1,
        name: STAND_IN.name,
        version: STAND_IN.version,
        created_at: new Date().toISOString(),
        task: 'text-similarity',
        input: { kind: 'text', featurizer: featurizer.config, onnx: TEXT_ENCODER_IO },
        embedding: { dim: config.model.outputDim, distance: 'cosine', normalized: true },
        collections: [{ name: config.index.collection, items: items.length }],
        training: { config, backend: 'none (untrained stand-in)', steps: 0, seconds: 0, run_id: 'stand-in' },
        data_fingerprint: '0'.repeat(64),
        metrics: {},
      },
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const [artifactsDir = 'artifacts', cacheDir = '.scratch/bench-worker'] = process.argv.slice(2);
  console.log(await defaultCatalogue(artifactsDir, cacheDir));
}
