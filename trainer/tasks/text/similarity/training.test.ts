import { beforeAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { mulberry32 } from '../../../../shared/random.ts';
import { initBackend } from '../../../backend/index.ts';
import { initTextEncoder, TextEncoderShapeSchema } from '../../../encoder/text-encoder.ts';
import { createLoss, TextAugmentConfigSchema } from '../../../metric/index.ts';
import { AdamConfigSchema } from '../../../train/adam.ts';
import { ParameterUpdateSchema } from '../../../train/parameter-update.ts';
import { parseTextConfig } from '../config.ts';
import { tfjsEmbedder } from '../stages/train.ts';
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
      totalSteps: 150,
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
    for (let step = 0; step < 150; step++) expect((await model.step(step)).finite).toBe(true);
    const after = await spearmanOf();
    expect(Math.abs(before)).toBeLessThan(30);
    expect(after).toBeGreaterThan(60);
  });

  it('mixes sources, prefixing each step’s stats with its source', async () => {
    const featurizer = createTextFeaturizer({ buckets: 1024 });
    const weights = initTextEncoder(1024, { embeddingDim: 8, outputDim: 8 }, 2);
    const pairs = synonymPairs(64, 3);
    const model = createMultiSourceModel({
      weights,
      adam: AdamConfigSchema.parse({}),
      seed: 4,
      totalSteps: 12,
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
      const result = await model.step(step);
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

/**
 * Graded pairs a per-feature weight can learn: a pair's score is how many of its two content words the
 * sentences share, while three filler words drawn from five are shared by chance and mislead the cosine.
 */
function fillerPairs(count: number, seed: number): ScoredPair[] {
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const fillers = () => Array.from({ length: 3 }, () => `filler${pick(5)}`);
  return Array.from({ length: count }, () => {
    const content = [pick(300), pick(300)];
    const shared = pick(3);
    const other = content.map((c, i) => (i < shared ? c : (c + 1 + pick(299)) % 300));
    return {
      a: [...content.map((c) => `word${c}`), ...fillers()].join(' '),
      b: [...other.map((c) => `word${c}`), ...fillers()].join(' '),
      score: shared,
    };
  });
}

describe('parameter updates', () => {
  it("starts the dense layer as the identity with kernelInit 'identity', the table as with Glorot", () => {
    const shape = TextEncoderShapeSchema.parse({ embeddingDim: 3, outputDim: 3, kernelInit: 'identity' });
    const identity = initTextEncoder(64, shape, 5);
    expect(Array.from(identity.kernel)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(identity.table).toEqual(initTextEncoder(64, { embeddingDim: 3, outputDim: 3 }, 5).table);
    expect(() =>
      TextEncoderShapeSchema.parse({ embeddingDim: 3, outputDim: 4, kernelInit: 'identity' }),
    ).toThrow(/outputDim equal to embeddingDim/);
  });

  it("with table 'scale' learns per-feature weights: rows keep their direction, a frozen dense layer stays", async () => {
    const featurizer = createTextFeaturizer({ buckets: 2048, charNgrams: null, wordBigrams: false });
    const weights = initTextEncoder(2048, { embeddingDim: 32, outputDim: 32, kernelInit: 'identity' }, 3);
    const initial = {
      table: weights.table.slice(),
      kernel: weights.kernel.slice(),
      bias: weights.bias.slice(),
    };
    const heldOut = fillerPairs(300, 98);
    const spearmanOf = async () =>
      correlationMetrics(await embeddingScorer(tfjsEmbedder(weights, featurizer), 32)(heldOut), heldOut)
        .spearman;
    const before = await spearmanOf();
    const model = createMultiSourceModel({
      weights,
      adam: AdamConfigSchema.parse({ learningRate: 0.05 }),
      update: ParameterUpdateSchema.parse({ table: 'scale', denseLearningRate: 0 }),
      seed: 1,
      totalSteps: 60,
      sources: [
        {
          source: scoredPairSource(
            'graded',
            fillerPairs(1000, 2),
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
    for (let step = 0; step < 60; step++) expect((await model.step(step)).finite).toBe(true);
    expect(await spearmanOf()).toBeGreaterThan(before + 10);
    expect(weights.kernel).toEqual(initial.kernel);
    expect(weights.bias).toEqual(initial.bias);
    const filler = featurizer.featurize('filler0').ids[0];
    const row = (table: Float32Array) => Array.from(table.subarray(filler * 32, (filler + 1) * 32));
    const ratio = row(weights.table)[0] / row(initial.table)[0];
    expect(ratio).toBeLessThan(0.9);
    for (const [k, value] of row(weights.table).entries())
      expect(value).toBeCloseTo(ratio * row(initial.table)[k], 5);
    // The per-row moments are part of the checkpoint, so a resumed run continues them.
    expect(model.snapshot().arrays['adam.tableScale.m'].length).toBe(2048);
  });

  it("with table 'scale+rows' also moves the rows' elements, each group at its own rate", async () => {
    const featurizer = createTextFeaturizer({ buckets: 512, charNgrams: null, wordBigrams: false });
    const weights = initTextEncoder(512, { embeddingDim: 8, outputDim: 8, kernelInit: 'identity' }, 3);
    const initial = weights.table.slice();
    const model = createMultiSourceModel({
      weights,
      adam: AdamConfigSchema.parse({ learningRate: 0.05 }),
      update: ParameterUpdateSchema.parse({
        table: 'scale+rows',
        tableLearningRate: 0.01,
        denseLearningRate: 0,
      }),
      seed: 1,
      totalSteps: 4,
      sources: [
        {
          source: scoredPairSource(
            'graded',
            fillerPairs(64, 5),
            featurizer,
            createLoss({ name: 'cosent' }),
            16,
            1,
          ),
          weight: 1,
        },
      ],
      validate: async () => ({}),
    });
    for (let step = 0; step < 4; step++) expect((await model.step(step)).finite).toBe(true);
    const filler = featurizer.featurize('filler0').ids[0];
    const row = Array.from(weights.table.subarray(filler * 8, (filler + 1) * 8));
    const before = Array.from(initial.subarray(filler * 8, (filler + 1) * 8));
    const cosine =
      row.reduce((sum, value, k) => sum + value * before[k], 0) / Math.hypot(...row) / Math.hypot(...before);
    expect(cosine).toBeLessThan(0.9999);
    expect(weights.kernel[0]).toBe(1);
  });

  it('rejects train.update without sources: the WordNet-only trainer does not read it', () => {
    const config = {
      name: 'update-without-sources',
      data: { source: 'wordnet' },
      loss: { name: 'multiple_negatives_ranking' },
      train: { update: { table: 'scale' } },
      index: { collection: 'wordnet' },
    };
    expect(() => parseTextConfig(config, 'test')).toThrow(/list the `sources`/);
    expect(parseTextConfig({ ...config, sources: [{ source: 'stsb' }] }, 'test').train.update?.table).toBe(
      'scale',
    );
  });
});
