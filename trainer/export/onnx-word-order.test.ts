import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { createOnnxTextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { mulberry32 } from '../../shared/random.ts';
import { cosineSimilarity } from '../../shared/vector.ts';
import { PARITY_TEXTS, trainedLikeWeights } from '../../test/fixtures/text-encoder-weights.ts';
import { initBackend } from '../backend/index.ts';
import { embedBatch, type TextEncoderWeights } from '../encoder/text-encoder.ts';
import { initWordOrder } from '../encoder/word-order.ts';
import { checkOnnxModel } from './onnx-check.ts';
import { exportTextEncoderOnnx, type OnnxPrecision, TEXT_ENCODER_IO } from './onnx-text-encoder.ts';
import { measureParity } from './parity.ts';
import { MIN_PARITY_COSINE } from './parity-gate.ts';

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  await initBackend('wasm');
});

const BUCKETS = 512;
const featurizer = createTextFeaturizer({ buckets: BUCKETS, layout: 'tokens' });
// Without word bigrams 'a dog bites a man' and 'a man bites a dog' have the same bag of features.
const unigramTokens = createTextFeaturizer({ buckets: BUCKETS, layout: 'tokens', wordBigrams: false });
const unigramBag = createTextFeaturizer({ buckets: BUCKETS, wordBigrams: false });

/** Trained-looking encoder weights with a word-order layer whose residual is far from zero. */
function wordOrderWeights(width: number, seed: number): TextEncoderWeights {
  const weights = trainedLikeWeights(BUCKETS, 16, 12, seed);
  const random = mulberry32(seed + 2);
  const order = initWordOrder({ kind: 'conv', width, rank: 8 }, 16, random);
  for (let i = 0; i < order.out.length; i++) order.out[i] = (random() * 2 - 1) * 0.5;
  for (let i = 0; i < order.mixBias.length; i++) order.mixBias[i] = (random() * 2 - 1) * 0.1;
  return { ...weights, wordOrder: order };
}

describe('word-order text encoder export', () => {
  it.each([1, 3, 5])('matches TF.js through onnxruntime-web, fp32 and int8 (width %i)', async (width) => {
    const weights = wordOrderWeights(width, width);
    for (const precision of ['fp32', 'int8'] as OnnxPrecision[]) {
      await checkOnnxModel(exportTextEncoderOnnx(weights, { precision }));
    }
    const report = await measureParity(weights, PARITY_TEXTS, featurizer, ort);
    expect(report.fp32MinCosine).toBeGreaterThan(0.99999);
    expect(report.fp32MaxAbsDiff).toBeLessThan(1e-5);
    expect(report.int8MinCosine).toBeGreaterThan(MIN_PARITY_COSINE.int8);
  });

  it('is served by the embedder: order matters, padding does not, no linear explanation output', async () => {
    const weights = wordOrderWeights(3, 9);
    const embedder = await createOnnxTextEmbedder({
      ort,
      model: exportTextEncoderOnnx(weights, { precision: 'fp32' }),
      featurizer,
      io: TEXT_ENCODER_IO,
      dim: weights.outputDim,
    });
    try {
      expect(embedder.projectBatch).toBeUndefined();
      const texts = ['a dog bites a man', 'a man bites a dog', 'the quick brown fox jumps over the lazy dog'];
      const together = await embedder.embedBatch(featurizer.featurizeBatch(texts));
      for (const [i, text] of texts.entries()) {
        const alone = await embedder.embedBatch(featurizer.featurizeBatch([text]));
        const row = together.subarray(i * weights.outputDim, (i + 1) * weights.outputDim);
        alone.forEach((x, d) => expect(row[d]).toBeCloseTo(x, 5));
      }
      // Same words in another order: the bag of unigrams and char n-grams cannot tell them apart.
      const d = weights.outputDim;
      const pair = texts.slice(0, 2);
      const ordered = embedBatch(weights, unigramTokens.featurizeBatch(pair));
      expect(cosineSimilarity(ordered.subarray(0, d), ordered.subarray(d, 2 * d))).toBeLessThan(0.999);
      const bag = embedBatch({ ...weights, wordOrder: undefined }, unigramBag.featurizeBatch(pair));
      expect(cosineSimilarity(bag.subarray(0, d), bag.subarray(d, 2 * d))).toBeGreaterThan(0.99999);
    } finally {
      await embedder.release();
    }
  });

  it('refuses a bag-layout batch for a word-order model', () => {
    const weights = wordOrderWeights(3, 4);
    const bagFeaturizer = createTextFeaturizer({ buckets: BUCKETS });
    expect(() => embedBatch(weights, bagFeaturizer.featurizeBatch(['a b']))).toThrow(/'tokens' layout/);
  });
});
