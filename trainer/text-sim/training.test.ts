import { beforeAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { initBackend } from '../backend/index.ts';
import { createLoss, TextAugmentConfigSchema } from '../metric/index.ts';
import { initTextEncoder, mulberry32 } from '../models/text-encoder.ts';
import { tfjsEmbedder } from '../pipeline/text-train.ts';
import { AdamConfigSchema } from '../train/adam.ts';
import { correlationMetrics, embeddingScorer } from './evaluate.ts';
import { bucketDocumentFrequency, scaleRowsByIdf } from './idf-init.ts';
import { createMultiSourceModel } from './multi-source-model.ts';
import { createSourceSchedule } from './schedule.ts';
import type { ScoredPair } from './scored-pair.ts';
import { scoredPairSource, viewsSource } from './sources.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('createSourceSchedule', () => {
  it('gives each source its weighted share of steps and numbers its batches in order', () => {
    const schedule = createSourceSchedule([3, 1], 7);
    const served = [0, 0];
    for (let step = 0; step < 4000; step++) {
      const { source, batch } = schedule.at(step);
      expect(batch).toBe(served[source]);
      served[source] += 1;
    }
    expect(served[0] / 4000).toBeCloseTo(0.75, 1);
  });

  it('is a pure function of the step, so a resumed run continues every stream', () => {
    const first = createSourceSchedule([1, 2, 1], 3);
    const resumed = createSourceSchedule([1, 2, 1], 3);
    expect(resumed.at(500)).toEqual(first.at(500));
    expect(() => createSourceSchedule([1, 0], 1)).toThrow(/positive/);
  });
});

/**
 * Synthetic graded pairs the untrained model cannot score: every concept has two unrelated spellings,
 * and a pair's score is how many of its concepts the two sentences share, whatever the spelling.
 */
function synonymPairs(count: number, seed: number): ScoredPair[] {
  const random = mulberry32(seed);
  const spell = (concept: number, variant: number) =>
    `${variant ? 'q' : 'z'}${(concept * 7919 + variant * 104729) % 99991}`;
  return Array.from({ length: count }, () => {
    const concepts = Array.from({ length: 4 }, () => Math.floor(random() * 60));
    const shared = Math.floor(random() * 5);
    const other = concepts.map((c, i) => (i < shared ? c : (c + 1 + Math.floor(random() * 59)) % 60));
    return {
      a: concepts.map((c) => spell(c, 0)).join(' '),
      b: other.map((c) => spell(c, 1)).join(' '),
      score: shared,
    };
  });
}

describe('multi-source training', () => {
  it('learns graded similarity with cosent through the shared sparse pair step', async () => {
    const featurizer = createTextFeaturizer({ buckets: 2048, charNgrams: null, wordBigrams: false });
    const weights = initTextEncoder(2048, { embeddingDim: 16, outputDim: 16 }, 1);
    const heldOut = synonymPairs(200, 99);
    const spearmanOf = async () =>
      correlationMetrics(await embeddingScorer(tfjsEmbedder(weights, featurizer), 16)(heldOut), heldOut)
        .spearman;
    const before = await spearmanOf();
    const model = createMultiSourceModel({
      weights,
      adam: AdamConfigSchema.parse({ learningRate: 0.02 }),
      seed: 1,
      sources: [
        {
          source: scoredPairSource(
            'graded',
            synonymPairs(2000, 1),
            featurizer,
            createLoss({ name: 'cosent' }),
            32,
            1,
          ),
          weight: 1,
        },
      ],
      validate: async () => ({}),
    });
    for (let step = 0; step < 150; step++) expect(model.step(step).finite).toBe(true);
    const after = await spearmanOf();
    expect(Math.abs(before)).toBeLessThan(30);
    expect(after).toBeGreaterThan(60);
  });

  it('mixes sources, prefixing each step’s stats with its source', () => {
    const featurizer = createTextFeaturizer({ buckets: 1024 });
    const weights = initTextEncoder(1024, { embeddingDim: 8, outputDim: 8 }, 2);
    const pairs = synonymPairs(64, 3);
    const model = createMultiSourceModel({
      weights,
      adam: AdamConfigSchema.parse({}),
      seed: 4,
      sources: [
        {
          source: scoredPairSource('stsb', pairs, featurizer, createLoss({ name: 'cosent' }), 16, 1),
          weight: 1,
        },
        {
          source: viewsSource(
            pairs.map((p) => p.a),
            featurizer,
            TextAugmentConfigSchema.parse({}),
            createLoss({ name: 'self_supervised' }),
            16,
            2,
          ),
          weight: 1,
        },
      ],
      validate: async () => ({}),
    });
    const prefixes = new Set<string>();
    for (let step = 0; step < 12; step++) {
      const result = model.step(step);
      expect(result.finite).toBe(true);
      for (const key of Object.keys(result.stats ?? {})) prefixes.add(key.split('_')[0]);
    }
    expect(prefixes).toEqual(new Set(['stsb', 'views']));
  });
});

describe('IDF initialisation', () => {
  it('counts documents per bucket and scales rare rows up, frequent rows down', () => {
    const featurizer = createTextFeaturizer({ buckets: 4096, charNgrams: null, wordBigrams: false });
    const texts = ['the cat', 'the dog', 'the bird', 'a cat'];
    const df = bucketDocumentFrequency(featurizer, texts);
    const idOf = (word: string) => featurizer.featurize(word).ids[0];
    expect(df[idOf('the')]).toBe(3);
    expect(df[idOf('bird')]).toBe(1);
    const weights = initTextEncoder(4096, { embeddingDim: 4, outputDim: 4 }, 1);
    const before = weights.table.slice();
    scaleRowsByIdf(weights, df, texts.length);
    const ratio = (word: string) => weights.table[idOf(word) * 4] / before[idOf(word) * 4];
    expect(ratio('the')).toBeCloseTo(Math.log(5 / 4) + 1, 5);
    expect(ratio('bird')).toBeCloseTo(Math.log(5 / 2) + 1, 5);
  });
});
