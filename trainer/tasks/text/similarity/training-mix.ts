import { createHash } from 'node:crypto';
import type { TextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { createLoss } from '../../../metric/index.ts';
import type { TextConfig } from '../config.ts';
import type { Synset } from '../data/wordnet.ts';
import { loadSimilarityData, type SimilarityData } from './benchmarks.ts';
import { datasetsDir } from './datasets.ts';
import { sentencesOf } from './evaluate.ts';
import { loadPairFile } from './pair-files.ts';
import type { ScoredPair } from './scored-pair.ts';
import type { SourceConfig } from './source-config.ts';
import {
  type BatchSource,
  positivePairSource,
  scoredPairSource,
  viewsSource,
  wordnetSource,
} from './sources.ts';

export interface TrainingMix {
  sources: { source: BatchSource; weight: number }[];
  /** Every training text of the mix (for the IDF initialisation). */
  texts: string[];
  /** STS-B and PAWS with their fixed splits (validation uses STS-B's validation tenth). */
  data: SimilarityData;
  /** sha256 over the WordNet fingerprint and every scored pair trained on. */
  fingerprint: string;
  /** One line per source, for the log. */
  summary: string[];
}

/**
 * Builds a config's sources. A source whose data is missing is an error naming the path and the fix:
 * a config that asks for STS-B must not quietly train without it.
 */
export function buildTrainingMix(
  config: TextConfig,
  wordnetTrain: readonly Synset[],
  wordnetFingerprint: string,
  featurizer: TextFeaturizer,
): TrainingMix {
  const sourceConfigs: SourceConfig[] = config.sources ?? [{ source: 'wordnet', weight: 1 }];
  const needs = (name: 'stsb' | 'paws') =>
    sourceConfigs.some((s) => s.source === name || (s.source === 'views' && s.of.includes(name)));
  const data = loadSimilarityData(datasetsDir(config.datasets));
  if ((needs('stsb') && !data.sts) || (needs('paws') && !data.paws)) {
    throw new Error(`the config trains on data that is missing:\n  ${data.missing.join('\n  ')}`);
  }

  const { batchSize } = config.train;
  const hash = createHash('sha256').update(wordnetFingerprint);
  const textsOf = (name: 'wordnet' | 'stsb' | 'paws'): string[] => {
    if (name === 'wordnet') return wordnetTexts(wordnetTrain);
    return sentencesOf(name === 'stsb' ? data.sts!.train : data.paws!.train);
  };
  const texts = new Set<string>();
  const summary: string[] = [];
  const scored = (name: string, pairs: ScoredPair[]) => {
    hash.update(name).update(JSON.stringify(pairs));
    for (const text of sentencesOf(pairs)) texts.add(text);
    summary.push(`${name}: ${pairs.length} scored pairs`);
    return pairs;
  };

  const sources = sourceConfigs.map((source, index): { source: BatchSource; weight: number } => {
    const seed = config.seed * 1_000 + index;
    const loss = createLoss(source.loss ?? config.loss);
    switch (source.source) {
      case 'wordnet':
        for (const text of textsOf('wordnet')) texts.add(text);
        summary.push(`wordnet: ${wordnetTrain.length} synsets`);
        return {
          source: wordnetSource(wordnetTrain, featurizer, loss, batchSize, config.seed),
          weight: source.weight,
        };
      case 'stsb':
      case 'paws':
      case 'pairs': {
        const name = source.source;
        const label = name === 'pairs' ? source.path : name;
        const all =
          name === 'pairs' ? loadPairFile(source.path) : name === 'stsb' ? data.sts!.train : data.paws!.train;
        const { minScore } = source;
        if (minScore === undefined) {
          const pairs = scored(label, all);
          return {
            source: scoredPairSource(name, pairs, featurizer, loss, batchSize, seed),
            weight: source.weight,
          };
        }
        const positives = all.filter((p) => p.score >= minScore);
        if (positives.length < batchSize) {
          throw new Error(
            `${label}: only ${positives.length} pairs score at least minScore ${minScore}, fewer than a batch (${batchSize})`,
          );
        }
        const pairs = scored(`${label} >= ${minScore}`, positives);
        return {
          source: positivePairSource(`${name}_positives`, pairs, featurizer, loss, batchSize, seed),
          weight: source.weight,
        };
      }
      case 'views': {
        const viewTexts = source.of.flatMap(textsOf);
        summary.push(`views: ${viewTexts.length} texts of ${source.of.join(', ')}`);
        return {
          source: viewsSource(viewTexts, featurizer, source.augment, loss, batchSize, seed),
          weight: source.weight,
        };
      }
    }
  });
  return { sources, texts: [...texts], data, fingerprint: hash.digest('hex'), summary };
}

/** The texts WordNet pairs are drawn from: glosses, lemmas and examples. */
export function wordnetTexts(synsets: readonly Synset[]): string[] {
  return synsets.flatMap((s) => [s.gloss, ...s.lemmas, ...s.examples]);
}
