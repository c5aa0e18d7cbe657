import * as tf from '@tensorflow/tfjs';
import type { FeatureBatch, TextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { deriveSeed, mulberry32, shuffle } from '../../../../shared/random.ts';
import { createRandom, type MetricLoss, type TextAugmentConfig, textViews } from '../../../metric/index.ts';
import type { PairLoss } from '../../../train/pair-loss.ts';
import { pairLossOf } from '../../../train/pair-loss.ts';
import { type DictionaryWord, sampleDictionaryEpoch } from '../data/dictionary-pairs.ts';
import type { Synset } from '../data/wordnet.ts';
import {
  relationPairsEpoch,
  samplePairsEpoch,
  type TextPair,
  type WordNetPairWeights,
} from '../data/wordnet-pairs.ts';
import type { ScoredPair } from './scored-pair.ts';

/** One step's input: row i of `anchors` and of `positives` is a pair, and the loss that scores them. */
export interface SourceBatch {
  anchors: FeatureBatch;
  positives: FeatureBatch;
  loss: PairLoss;
}

/**
 * A training source: an endless, seeded stream of batches. `batch(k)` is the k-th batch the source
 * serves (counting across epochs) and depends only on k, so a resumed run sees the same batches.
 */
export interface BatchSource {
  readonly name: string;
  batch(k: number): SourceBatch;
}

/**
 * Batch k is the (k mod n)-th slice of epoch k div n, where `epochRows(e)` gives epoch e's rows in order
 * (a pure function of e) and every epoch has `rowsPerEpoch` rows; the last partial batch is dropped.
 */
function epochBatches<T>(rowsPerEpoch: number, batchSize: number, epochRows: (epoch: number) => T[]) {
  const perEpoch = Math.max(1, Math.floor(rowsPerEpoch / batchSize));
  let cachedEpoch = -1;
  let rows: T[] = [];
  return (k: number): T[] => {
    const epoch = Math.floor(k / perEpoch);
    if (epoch !== cachedEpoch) {
      rows = epochRows(epoch);
      cachedEpoch = epoch;
    }
    const start = (k % perEpoch) * batchSize;
    return rows.slice(start, start + batchSize);
  };
}

function shuffledEpochs<T>(rows: readonly T[], seed: number) {
  return (epoch: number) => {
    const order = [...rows];
    shuffle(order, mulberry32(deriveSeed(seed, epoch)));
    return order;
  };
}

/**
 * WordNet positive pairs (gloss, lemma, synonym, example) with an in-batch loss, as the default model
 * trains; with `pairWeights`, also its relations (hypernyms, similar synsets) in those shares.
 */
export function wordnetSource(
  synsets: readonly Synset[],
  featurizer: TextFeaturizer,
  loss: MetricLoss,
  batchSize: number,
  seed: number,
  pairWeights?: WordNetPairWeights,
): BatchSource {
  // Without weights, the same epochs as the WordNet-only trainer: one fresh pair per synset, shuffled.
  const epochPairs = (epoch: number) => {
    const random = mulberry32(seed * 100_003 + epoch);
    return pairWeights ? relationPairsEpoch(synsets, pairWeights, random) : samplePairsEpoch(synsets, random);
  };
  return textPairSource('wordnet', synsets.length, epochPairs, featurizer, loss, batchSize);
}

/** A dictionary's (definition, headword) pairs, one per word and epoch, with an in-batch loss. */
export function dictionarySource(
  name: string,
  words: readonly DictionaryWord[],
  featurizer: TextFeaturizer,
  loss: MetricLoss,
  batchSize: number,
  seed: number,
): BatchSource {
  const epochPairs = (epoch: number) => sampleDictionaryEpoch(words, mulberry32(seed * 100_003 + epoch));
  return textPairSource(name, words.length, epochPairs, featurizer, loss, batchSize);
}

/** Positive text pairs, `rowsPerEpoch` of them drawn for each epoch by `epochPairs`, with an in-batch loss. */
function textPairSource(
  name: string,
  rowsPerEpoch: number,
  epochPairs: (epoch: number) => TextPair[],
  featurizer: TextFeaturizer,
  loss: MetricLoss,
  batchSize: number,
): BatchSource {
  const batches = epochBatches(rowsPerEpoch, batchSize, epochPairs);
  const pairLoss = pairLossOf(loss);
  return {
    name,
    batch(k) {
      const pairs = batches(k);
      return {
        anchors: featurizer.featurizeBatch(pairs.map((p) => p.anchor)),
        positives: featurizer.featurizeBatch(pairs.map((p) => p.positive)),
        loss: pairLoss,
      };
    },
  };
}

/**
 * Scored pairs (STS-B graded 0-5, PAWS 0/1, a pair file): the loss gets each batch's scores as labels,
 * which is what cosent reads (pair i = anchors row i, positives row i, labels[i] = its score).
 */
export function scoredPairSource(
  name: string,
  pairs: readonly ScoredPair[],
  featurizer: TextFeaturizer,
  loss: MetricLoss,
  batchSize: number,
  seed: number,
): BatchSource {
  return pairRowsSource(name, pairs, featurizer, batchSize, seed, (rows) => {
    const scores = Float32Array.from(rows, (p) => p.score);
    return {
      compute: (anchors, positives) =>
        loss.compute(anchors, tf.tensor1d(scores), { refEmbeddings: positives }),
      readStats: () => loss.readStats(),
    };
  });
}

/**
 * Pairs known to match (a scored source's pairs at or above its `minScore`) with an in-batch loss: each
 * pair's sides are positives, every other pair of the batch a negative.
 */
export function positivePairSource(
  name: string,
  pairs: readonly ScoredPair[],
  featurizer: TextFeaturizer,
  loss: MetricLoss,
  batchSize: number,
  seed: number,
): BatchSource {
  const pairLoss = pairLossOf(loss);
  return pairRowsSource(name, pairs, featurizer, batchSize, seed, () => pairLoss);
}

/** Shuffled epochs of pairs, each batch featurized side by side with the loss `lossOf` makes for its rows. */
function pairRowsSource(
  name: string,
  pairs: readonly ScoredPair[],
  featurizer: TextFeaturizer,
  batchSize: number,
  seed: number,
  lossOf: (rows: readonly ScoredPair[]) => PairLoss,
): BatchSource {
  const batches = epochBatches(pairs.length, batchSize, shuffledEpochs(pairs, seed));
  return {
    name,
    batch(k) {
      const rows = batches(k);
      return {
        anchors: featurizer.featurizeBatch(rows.map((p) => p.a)),
        positives: featurizer.featurizeBatch(rows.map((p) => p.b)),
        loss: lossOf(rows),
      };
    },
  };
}

/** Unlabelled texts as two augmented views each (token, then feature dropout) for a self_supervised loss. */
export function viewsSource(
  texts: readonly string[],
  featurizer: TextFeaturizer,
  augment: TextAugmentConfig,
  loss: MetricLoss,
  batchSize: number,
  seed: number,
): BatchSource {
  const unique = [...new Set(texts)];
  const batches = epochBatches(unique.length, batchSize, shuffledEpochs(unique, seed));
  const pairLoss = pairLossOf(loss);
  return {
    name: 'views',
    batch(k) {
      const [anchors, positives] = textViews(
        batches(k),
        featurizer,
        augment,
        createRandom(deriveSeed(seed + 1, k)),
      );
      return { anchors, positives, loss: pairLoss };
    },
  };
}
