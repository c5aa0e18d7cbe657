import * as ort from 'onnxruntime-web';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { type Manifest, parseManifest } from '../../shared/manifest.ts';
import { createOnnxTextEmbedder } from '../../shared/onnx/text-embedder.ts';
import {
  exportTextEncoderOnnx,
  TEXT_ENCODER_IO,
  TEXT_ENCODER_UNNORMALIZED_OUTPUT,
} from '../../trainer/export/onnx-text-encoder.ts';
import { trainedLikeWeights } from '../../trainer/export/test-fixtures.ts';
import { createApp } from '../app.ts';
import type { LoadedModel, ModelRegistry, VectorIndex } from '../ports.ts';

/**
 * Test-only: an app serving one real int8 ONNX text encoder (seeded weights shaped like trained ones)
 * through onnxruntime-web, with or without the `unnormalized` output wired as the projector that
 * explanations need, and with or without a calibrated threshold in its manifest.
 */
export const TEST_FEATURIZER = createTextFeaturizer({ buckets: 2048 });
const DIM = 12;

export async function createTestApp(options: { threshold?: number; explainable: boolean }) {
  ort.env.wasm.numThreads = 1;
  const bytes = exportTextEncoderOnnx(trainedLikeWeights(2048, 16, DIM, 5), { precision: 'int8' });
  const open = (output: string) =>
    createOnnxTextEmbedder({
      ort,
      model: bytes,
      featurizer: TEST_FEATURIZER,
      io: { ...TEXT_ENCODER_IO, output },
      dim: DIM,
    });
  const embedder = await open(TEXT_ENCODER_IO.output);
  const unnormalized = await open(TEXT_ENCODER_UNNORMALIZED_OUTPUT);
  const model: LoadedModel = {
    manifest: manifestWith(options.threshold),
    embedder: options.explainable
      ? { dim: DIM, embed: embedder.embed, projectBatch: unnormalized.embedBatch }
      : { dim: DIM, embed: embedder.embed },
  } as LoadedModel;
  const registry: ModelRegistry = {
    list: () => [model],
    get: (name) => (name === undefined || name === model.manifest.name ? model : undefined),
  };
  const index: VectorIndex = { collections: () => [], collection: () => undefined, search: async () => [] };
  const app = createApp({ registry, index });
  const post = async (path: string, body: unknown) => {
    const response = await app.request(path, { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    post,
    embed: embedder.embed,
    release: async () => {
      await embedder.release();
      await unnormalized.release();
    },
  };
}

function manifestWith(threshold: number | undefined): Manifest {
  const file = { path: 'model.onnx', sha256: '0'.repeat(64), bytes: 1 };
  return parseManifest(
    {
      schema_version: 1,
      name: 'tiny',
      version: 'v1',
      created_at: '2026-11-28T00:00:00Z',
      task: 'text-similarity',
      input: { kind: 'text', featurizer: TEST_FEATURIZER.config, onnx: TEXT_ENCODER_IO },
      embedding: { dim: DIM, distance: 'cosine', normalized: true },
      files: { model: file, model_int8: { ...file, path: 'model.int8.onnx' } },
      training: { config: {}, backend: 'wasm', steps: 0, seconds: 0, run_id: 'test' },
      data_fingerprint: '0'.repeat(64),
      ...(threshold === undefined
        ? {}
        : {
            decision: {
              threshold,
              target_precision: 0.9,
              calibrated_on: 'test',
              test_precision: 1,
              test_recall: 1,
            },
          }),
      metrics: {},
    },
    'test manifest',
  );
}
