import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../shared/featurizer/index.ts';
import { PARITY_TEXTS, trainedLikeWeights } from '../../test/fixtures/text-encoder-weights.ts';
import { initBackend } from '../backend/index.ts';
import { initTextEncoder } from '../encoder/text-encoder.ts';
import { measureParity } from './parity.ts';

beforeAll(async () => {
  ort.env.wasm.numThreads = 1;
  await initBackend('wasm');
});

describe('measureParity', () => {
  const featurizer = createTextFeaturizer({ buckets: 2048 });

  it('reports fp32 and int8 agreement within the release thresholds', async () => {
    const report = await measureParity(trainedLikeWeights(2048, 32, 64, 5), PARITY_TEXTS, featurizer, ort);
    expect(report.texts).toBe(PARITY_TEXTS.length);
    expect(report.fp32MinCosine).toBeGreaterThanOrEqual(0.9999);
    expect(report.fp32MaxAbsDiff).toBeLessThan(1e-5);
    expect(report.int8MinCosine).toBeGreaterThanOrEqual(0.995);
    // int8 loses precision, so it must measure as further from the reference than fp32.
    expect(report.int8MinCosine).toBeLessThan(report.fp32MinCosine);
    expect(report.int8MaxAbsDiff).toBeGreaterThan(report.fp32MaxAbsDiff);
  });

  it('counts an empty text under a zero bias (a zero embedding on both sides) as agreeing', async () => {
    // Freshly initialised weights have a zero bias, so '' embeds to the zero vector.
    const weights = initTextEncoder(2048, { embeddingDim: 16, outputDim: 8 }, 9);
    const report = await measureParity(weights, ['', 'hello world'], featurizer, ort);
    expect(report.fp32MinCosine).toBeGreaterThanOrEqual(0.9999);
    expect(report.int8MinCosine).toBeGreaterThanOrEqual(0.995);
  });
});
