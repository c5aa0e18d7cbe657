import { describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../../shared/featurizer/text.ts';
import { padFeatures } from '../../../shared/onnx/sub-batches.ts';
import { mulberry32 } from '../../../shared/random.ts';
import { recentDistinct, userVector } from '../../../shared/recs/user-vector.ts';
import { embedBatch } from '../../encoder/text-encoder.ts';
import { LossConfigSchema } from '../../metric/index.ts';
import { useWasmBackend } from '../../metric/testing/backend.ts';
import { AdamConfigSchema, createAdamState } from '../../train/adam.ts';
import { nextItemExamples } from './examples.ts';
import { allItemVectors, userVectorsFrom } from './inference.ts';
import { createRecsLoss } from './loss.ts';
import { recsStep } from './step.ts';
import { initRecsWeights, trainableArrays } from './towers.ts';

useWasmBackend();

const featurizer = createTextFeaturizer({ buckets: 512, charNgrams: null });
const GENRES = ['comedy', 'drama', 'horror', 'western'];
/** 40 items in 4 genres; items 36..39 never appear in any training history. */
const ITEMS = 40;
const texts = Array.from({ length: ITEMS }, (_, i) => `film ${i} | ${GENRES[i % 4]}`);
const features = texts.map((text) => featurizer.featurize(text));
/** Users who stay within one genre, walking its items in order. */
const train = Array.from({ length: 30 }, (_, u) =>
  Int32Array.from({ length: 6 }, (_, t) => (u % 4) + 4 * ((Math.floor(u / 4) + t) % 9)),
);

function setup() {
  const weights = initRecsWeights(ITEMS, 512, { dim: 8, embeddingDim: 8 }, 3);
  const examples = nextItemExamples(train, { recentItems: 3, recencyDecay: 1 });
  const context = {
    examples,
    features,
    logQ: new Float32Array(ITEMS),
    loss: createRecsLoss(LossConfigSchema.parse({ name: 'multiple_negatives_ranking', scale: 20 }), false),
    idDropout: 0.2,
    adam: createAdamState(trainableArrays(weights)),
    adamConfig: AdamConfigSchema.parse({ learningRate: 0.02 }),
  };
  return { weights, examples, context };
}

describe('the two towers', () => {
  it('learn: the in-batch loss falls over a few steps', async () => {
    const { weights, examples, context } = setup();
    const random = mulberry32(5);
    const losses: number[] = [];
    for (let step = 0; step < 40; step++) {
      const batch = Int32Array.from({ length: 12 }, () => Math.floor(random() * examples.count));
      const result = await recsStep(weights, { ...context }, batch, step);
      expect(result.finite).toBe(true);
      losses.push(result.loss);
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(losses.slice(-8))).toBeLessThan(mean(losses.slice(0, 8)) * 0.8);
  });

  it('move only the id rows of items a batch touched; an untouched item is its content vector', async () => {
    const { weights, examples, context } = setup();
    for (let step = 0; step < 5; step++) {
      await recsStep(
        weights,
        context,
        Int32Array.from({ length: 8 }, (_, i) => (step * 8 + i) % examples.count),
        step,
      );
    }
    const dim = weights.dim;
    const touched = new Set(train.flatMap((t) => Array.from(t)));
    const idNorm = (item: number) => Math.hypot(...weights.ids.subarray(item * dim, (item + 1) * dim));
    expect(idNorm(train[0][1])).toBeGreaterThan(0);
    for (let item = 36; item < ITEMS; item++) {
      expect(touched.has(item)).toBe(false);
      expect(idNorm(item)).toBe(0);
    }
    // The exported content encoder is the text encoder over the content weights: what a new item gets.
    const full = allItemVectors(weights, features);
    const content = allItemVectors(weights, features, { contentOnly: true });
    const encoder = embedBatch(weights.content, padFeatures(features));
    for (let item = 36; item < ITEMS; item++) {
      const row = (values: Float32Array) => Array.from(values.subarray(item * dim, (item + 1) * dim));
      expect(row(full)).toEqual(row(content));
      expect(row(content)).toEqual(row(encoder).map((v) => expect.closeTo(v, 6)));
    }
  });

  it('compute a user in TF.js exactly as the edge does (shared/recs/user-vector.ts)', () => {
    const { weights, context, examples } = setup();
    recsStep(
      weights,
      context,
      Int32Array.from({ length: 10 }, (_, i) => i % examples.count),
      0,
    );
    const dim = weights.dim;
    const items = allItemVectors(weights, features);
    const histories = [Int32Array.of(3), Int32Array.of(1, 5, 9, 5, 13), train[7]];
    const pooling = { recentItems: 3, recencyDecay: 0.7 };
    const tfjs = userVectorsFrom(weights, items, histories, pooling);
    const tower = { dim, kernel: weights.userKernel, bias: weights.userBias, recencyDecay: 0.7 };
    histories.forEach((history, u) => {
      const edge = userVector(
        recentDistinct(history, 3).map((item) => items.subarray(item * dim, (item + 1) * dim)),
        tower,
      );
      expect(Array.from(edge)).toEqual(
        Array.from(tfjs.subarray(u * dim, (u + 1) * dim), (v) => expect.closeTo(v, 6)),
      );
    });
  });
});
