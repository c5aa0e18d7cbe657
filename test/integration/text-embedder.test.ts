import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { planSubBatches } from '../../shared/onnx/sub-batches.ts';
import { createOnnxTextEmbedder, type TextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { norm } from '../../shared/vector.ts';
import { initTextEncoder } from '../../trainer/encoder/text-encoder.ts';
// Test-only: the exporter writes the model under test (shared code itself never imports the trainer).
import { exportTextEncoderOnnx, TEXT_ENCODER_IO } from '../../trainer/export/onnx-text-encoder.ts';

const featurizer = createTextFeaturizer({ buckets: 2048 });
const weights = initTextEncoder(2048, { embeddingDim: 16, outputDim: 12 }, 21);
weights.bias.fill(0.01);
const model = exportTextEncoderOnnx(weights, { precision: 'fp32' });

const options = { ort, model, featurizer, io: TEXT_ENCODER_IO, dim: 12 };

beforeAll(() => {
  ort.env.wasm.numThreads = 1;
});

async function withEmbedder<T>(use: (embedder: TextEmbedder) => Promise<T>): Promise<T> {
  const embedder = await createOnnxTextEmbedder(options);
  try {
    return await use(embedder);
  } finally {
    await embedder.release();
  }
}

describe('createOnnxTextEmbedder', () => {
  // Lengths from 0 to hundreds of features, so the mixed call is split into several sub-batches.
  const texts = [
    'one',
    Array.from({ length: 100 }, (_, i) => `token${i}`).join(' '),
    '',
    'two words',
    '日本語のテキスト',
    'a medium sized sentence about running shoes',
    '🎉',
    'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu',
  ];

  it('embeds each text in a mixed batch exactly as it embeds that text alone, in input order', async () => {
    expect(planSubBatches(texts.map((t) => featurizer.featurize(t).ids.length)).length).toBeGreaterThan(1);
    await withEmbedder(async (embedder) => {
      const together = await embedder.embed(texts);
      expect(together).toHaveLength(texts.length);
      for (const [i, text] of texts.entries()) {
        const [alone] = await embedder.embed([text]);
        expect(together[i]).toHaveLength(12);
        expect(together[i]).toEqual(alone);
        expect(norm(together[i])).toBeCloseTo(1, 5);
      }
      // Distinct texts give distinct embeddings, so a mix-up of rows would fail the loop above.
      expect(together[0]).not.toEqual(together[3]);
    });
  });

  it('matches embedBatch over the featurizer padding of the whole call', async () => {
    await withEmbedder(async (embedder) => {
      const flat = await embedder.embedBatch(featurizer.featurizeBatch(texts));
      const split = await embedder.embed(texts);
      expect(flat).toHaveLength(texts.length * 12);
      split.forEach((row, i) => {
        for (let k = 0; k < 12; k++) expect(row[k]).toBeCloseTo(flat[i * 12 + k], 6);
      });
    });
  });

  it('returns nothing for no texts', async () => {
    await withEmbedder(async (embedder) => {
      expect(await embedder.embed([])).toEqual([]);
    });
  });

  it('rejects io names the model does not have and a wrong dim', async () => {
    await expect(
      createOnnxTextEmbedder({ ...options, io: { ...TEXT_ENCODER_IO, ids: 'tokens' } }),
    ).rejects.toThrow(/no input tokens/);
    await expect(createOnnxTextEmbedder({ ...options, dim: 0 })).rejects.toThrow();
    const wrongDim = await createOnnxTextEmbedder({ ...options, dim: 16 });
    await expect(wrongDim.embed(['hello'])).rejects.toThrow(/expected float32 \[1, 16\]/);
    await wrongDim.release();
  });

  it('rejects a feature batch whose arrays do not match its shape', async () => {
    await withEmbedder(async (embedder) => {
      const batch = { ids: new Int32Array(5), weights: new Float32Array(6), batch: 2, length: 3 };
      await expect(embedder.embedBatch(batch)).rejects.toThrow(/2x3/);
    });
  });
});
