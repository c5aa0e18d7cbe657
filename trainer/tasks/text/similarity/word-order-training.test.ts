import { beforeAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { mulberry32 } from '../../../../shared/random.ts';
import { initBackend } from '../../../backend/index.ts';
import { initTextEncoder, type TextEncoderShape } from '../../../encoder/text-encoder.ts';
import { rocAuc } from '../../../eval/pairs.ts';
import { createLoss } from '../../../metric/index.ts';
import { AdamConfigSchema } from '../../../train/adam.ts';
import { parseTextConfig } from '../config.ts';
import { tfjsEmbedder } from '../stages/train.ts';
import { embeddingScorer } from './evaluate.ts';
import { createMultiSourceModel } from './multi-source-model.ts';
import type { ScoredPair } from './scored-pair.ts';
import { scoredPairSource } from './sources.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/**
 * PAWS in miniature: a paraphrase (label 1) is the sentence with one word added at the end; a
 * non-paraphrase (label 0) has two adjacent words swapped, or is another sentence (without those, a
 * model that maps every text to one vector would lose nothing). A bag of words scores every swap as
 * identical to its sentence, above every paraphrase, so its ROC-AUC on paraphrases against swaps is 0.
 */
function swapPairs(count: number, seed: number): ScoredPair[] {
  const random = mulberry32(seed);
  const word = () => `w${Math.floor(random() * 40)}`;
  return Array.from({ length: count }, (_, i) => {
    const words = Array.from({ length: 5 }, word);
    if (i % 3 === 0) return { a: words.join(' '), b: [...words, word()].join(' '), score: 1 };
    if (i % 3 === 1) return { a: words.join(' '), b: Array.from({ length: 5 }, word).join(' '), score: 0 };
    const at = Math.floor(random() * 4);
    const swapped = [...words];
    [swapped[at], swapped[at + 1]] = [swapped[at + 1], swapped[at]];
    return { a: words.join(' '), b: swapped.join(' '), score: 0 };
  });
}

async function trainAndScore(shape: TextEncoderShape, layout?: 'tokens') {
  const featurizer = createTextFeaturizer({
    buckets: 1024,
    charNgrams: null,
    wordBigrams: false,
    ...(layout ? { layout } : {}),
  });
  const weights = initTextEncoder(1024, shape, 1);
  const model = createMultiSourceModel({
    weights,
    adam: AdamConfigSchema.parse({ learningRate: 0.01 }),
    seed: 1,
    totalSteps: 200,
    sources: [
      {
        source: scoredPairSource(
          'swaps',
          swapPairs(1024, 1),
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
  for (let step = 0; step < 200; step++) expect((await model.step(step)).finite).toBe(true);
  // Paraphrases against swaps only: the question only word order answers.
  const heldOut = swapPairs(300, 2).filter((_, i) => i % 3 !== 1);
  const scores = await embeddingScorer(tfjsEmbedder(weights, featurizer), shape.outputDim)(heldOut);
  return {
    auc: rocAuc(
      scores,
      heldOut.map((p) => p.score),
    ),
    snapshot: model.snapshot(),
  };
}

describe('word-order encoder training', () => {
  const shape = { embeddingDim: 16, outputDim: 16 };

  it('learns what a bag of words cannot: adjacent swaps apart from paraphrases', async () => {
    const bag = await trainAndScore(shape);
    const ordered = await trainAndScore(
      { ...shape, wordOrder: { kind: 'conv', width: 3, rank: 16 } },
      'tokens',
    );
    expect(bag.auc).toBeLessThan(0.2);
    expect(ordered.auc).toBeGreaterThan(0.8);
    // The layer's parameters and Adam moments are checkpointed with the rest.
    for (const name of ['wordOrder.mix', 'wordOrder.mixBias', 'wordOrder.out', 'adam.wordOrder.out.m']) {
      expect(ordered.snapshot.arrays[name], name).toBeDefined();
    }
    expect(ordered.snapshot.arrays['wordOrder.out'].some((x) => x !== 0)).toBe(true);
  });

  it("refuses a word-order config without the featurizer's 'tokens' layout, naming the field", () => {
    const config = {
      name: 'order',
      data: { source: 'wordnet' },
      model: { embeddingDim: 8, outputDim: 8, wordOrder: { kind: 'conv' } },
      loss: { name: 'multiple_negatives_ranking' },
      train: {},
      index: { collection: 'wordnet' },
    };
    expect(() => parseTextConfig(config, 'order.json')).toThrow(/featurizer\.layout/);
    const fixed = parseTextConfig({ ...config, featurizer: { layout: 'tokens' } }, 'order.json');
    expect(fixed.model.wordOrder).toEqual({ kind: 'conv', width: 3, rank: 64 });
  });
});
