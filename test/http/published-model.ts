import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { type Sharding, WORKER_INDEX_FILE } from '../../shared/artifacts/worker-index.ts';
import type { MetadataColumn } from '../../shared/db/index-schema.ts';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import type { TextFeaturizer } from '../../shared/featurizer/text.ts';
import { createOnnxTextEmbedder, type TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { mulberry32 } from '../../shared/random.ts';
import { initBackend } from '../../trainer/backend/index.ts';
import { initTextEncoder, type TextEncoderWeights } from '../../trainer/encoder/text-encoder.ts';
import { exportTextEncoderOnnx, TEXT_ENCODER_IO } from '../../trainer/export/onnx-text-encoder.ts';
import { buildIndex, type IndexItem } from '../../trainer/index/build-index.ts';
import { labelCollector } from '../../trainer/index/labelled-collection.ts';
import { createLoss } from '../../trainer/metric/index.ts';
import { publishVersion } from '../../trainer/publish/publish.ts';
import { loadWordNet } from '../../trainer/tasks/text/data/wordnet.ts';
import { samplePairsEpoch } from '../../trainer/tasks/text/data/wordnet-pairs.ts';
import { textPairStep } from '../../trainer/tasks/text/model/text-pair-step.ts';
import { AdamConfigSchema, createAdamState } from '../../trainer/train/adam.ts';
import { pairLossOf } from '../../trainer/train/pair-loss.ts';

/**
 * Test-only: a tiny real model, trained for a few seconds on WordNet pairs and published the way the
 * trainer publishes one.
 */

const FEATURIZER = { buckets: 4096 } as const;

export interface TinyModelSpec {
  name: string;
  version: string;
  dim: number;
  seed: number;
  /** Builds index.db with one collection of these items, embedded by the served (int8) model. */
  collection?: {
    name: string;
    description?: string;
    items: IndexItem[];
    filterable?: MetadataColumn[];
    /** Also build the Workers index (worker-index.json and its shards) and publish it. */
    worker?: Sharding;
    /** A labelled collection: the class of each item is this metadata field (as `index.labelled` builds). */
    labelField?: string;
  };
}

export interface PublishedModel {
  /** The int8 model the server serves, for computing expected embeddings. */
  embedder: TextEmbedder;
}

/** A fresh temporary folder; `remove` deletes it. */
export async function temporaryDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

const TRAIN_STEPS = 30;
const TRAIN_BATCH = 32;

/** A few steps of the real training step on WordNet pairs; returns the mean loss of the first and last five. */
async function trainBriefly(weights: TextEncoderWeights, featurizer: TextFeaturizer, seed: number) {
  await initBackend('wasm');
  const loss = pairLossOf(createLoss({ name: 'multiple_negatives_ranking', scale: 20, symmetric: true }));
  const adam = createAdamState({ table: weights.table, kernel: weights.kernel, bias: weights.bias });
  const pairs = samplePairsEpoch(loadWordNet().slice(0, TRAIN_STEPS * TRAIN_BATCH), mulberry32(seed));
  const losses: number[] = [];
  for (let step = 0; step < TRAIN_STEPS; step++) {
    const batch = pairs.slice(step * TRAIN_BATCH, (step + 1) * TRAIN_BATCH);
    const result = await textPairStep(
      weights,
      adam,
      AdamConfigSchema.parse({ learningRate: 0.01 }),
      featurizer,
      batch,
      loss,
    );
    losses.push(result.loss);
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return { first: mean(losses.slice(0, 5)), last: mean(losses.slice(-5)) };
}

export async function publishTinyModel(artifactsDir: string, spec: TinyModelSpec): Promise<PublishedModel> {
  ort.env.wasm.numThreads = 1;
  const weights = initTextEncoder(FEATURIZER.buckets, { embeddingDim: 16, outputDim: spec.dim }, spec.seed);
  const featurizer = createTextFeaturizer(FEATURIZER);
  const trained = await trainBriefly(weights, featurizer, spec.seed);
  const staging = await temporaryDir('dml-edge-staging-');
  try {
    const files = {
      model: join(staging.path, 'model.onnx'),
      model_int8: join(staging.path, 'model.int8.onnx'),
    };
    const int8 = exportTextEncoderOnnx(weights, { precision: 'int8' });
    await writeFile(files.model, exportTextEncoderOnnx(weights, { precision: 'fp32' }));
    await writeFile(files.model_int8, int8);
    const embedder = await createOnnxTextEmbedder({
      ort,
      model: int8,
      featurizer,
      io: TEXT_ENCODER_IO,
      dim: spec.dim,
    });

    const index = join(staging.path, 'index.db');
    const classes = spec.collection?.labelField ? labelCollector(spec.collection.labelField) : undefined;
    const embed = (texts: string[]) => embedder.embed(texts);
    if (spec.collection) {
      await buildIndex({
        path: index,
        collection: {
          name: spec.collection.name,
          description: spec.collection.description,
          ...(spec.collection.filterable ? { filterable: spec.collection.filterable } : {}),
        },
        ...(spec.collection.worker ? { worker: spec.collection.worker } : {}),
        model: { name: spec.name, version: spec.version, dim: spec.dim },
        items: spec.collection.items,
        embed: classes ? classes.observe(embed) : embed,
      });
    }

    await publishVersion({
      artifactsDir,
      files: spec.collection
        ? {
            ...files,
            index,
            ...(spec.collection.worker ? { worker_index: join(staging.path, WORKER_INDEX_FILE) } : {}),
          }
        : files,
      manifest: {
        schema_version: 1,
        name: spec.name,
        version: spec.version,
        created_at: new Date().toISOString(),
        task: 'text-similarity',
        input: { kind: 'text', featurizer: featurizer.config, onnx: TEXT_ENCODER_IO },
        embedding: { dim: spec.dim, distance: 'cosine', normalized: true },
        collections: spec.collection
          ? [
              {
                name: spec.collection.name,
                items: spec.collection.items.length,
                ...(classes ? { labels: classes.labels() } : {}),
              },
            ]
          : [],
        training: {
          config: { seed: spec.seed },
          backend: 'wasm',
          steps: TRAIN_STEPS,
          seconds: 0,
          run_id: 'test',
        },
        data_fingerprint: '0'.repeat(64),
        metrics: { training: { first_loss: trained.first, last_loss: trained.last } },
      },
    });
    return { embedder };
  } finally {
    await staging.remove();
  }
}
