import * as ort from 'onnxruntime-web';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { createOnnxTextEmbedder, type TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { exportTextEncoderOnnx, TEXT_ENCODER_IO } from '../export/onnx-text-encoder.ts';
import { initTextEncoder, mulberry32 } from '../models/text-encoder.ts';
import type { IndexItem } from './build-index.ts';

/** Test-only helpers: a small real model served through the edge's ONNX path, and a seeded catalogue. */

export const TEST_BUCKETS = 4096;

/** A seeded text encoder exported to ONNX and run by onnxruntime-web, as the builder and the edge run it. */
export async function createTestEmbedder(dim: number, seed: number): Promise<TextEmbedder> {
  ort.env.wasm.numThreads = 1;
  const weights = initTextEncoder(TEST_BUCKETS, { embeddingDim: 16, outputDim: dim }, seed);
  return createOnnxTextEmbedder({
    ort,
    model: exportTextEncoderOnnx(weights, { precision: 'fp32' }),
    featurizer: createTextFeaturizer({ buckets: TEST_BUCKETS }),
    io: TEXT_ENCODER_IO,
    dim,
  });
}

const WORDS = (
  'river stone light animal small bright water tree music cold metal fast ' +
  'bird green house sound dark field glass soft fire road salt wind'
).split(' ');

/** WordNet-shaped entries (lemma with gloss) with unique ids and texts, and metadata to round-trip. */
export function testCatalogue(count: number, seed: number): IndexItem[] {
  const random = mulberry32(seed);
  const word = () => WORDS[Math.floor(random() * WORDS.length)];
  return Array.from({ length: count }, (_, i) => {
    const lemma = `${word()}_${word()}${i}`;
    const gloss = Array.from({ length: 4 + Math.floor(random() * 6) }, word).join(' ');
    return {
      id: `entry:${i}`,
      text: `${lemma}: ${gloss}`,
      metadata: { lemma, pos: i % 2 === 0 ? 'noun' : 'verb', rank: i, tags: [word(), word()], nested: { i } },
    };
  });
}
