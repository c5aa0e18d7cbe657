import { createHash } from 'node:crypto';
import type { TextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { mulberry32, shuffle } from '../../../../shared/random.ts';
import { createLoss } from '../../../metric/index.ts';
import type { TextConfig } from '../config.ts';
import { dictionaryWords } from '../data/dictionary-pairs.ts';
import { gcideFile, gcideFingerprint, loadGcide } from '../data/gcide.ts';
import type { Synset } from '../data/wordnet.ts';
import { loadSimilarityData, type SimilarityData } from './benchmarks.ts';
import { datasetsDir } from './datasets.ts';
import { sentencesOf } from './evaluate.ts';
import { loadPairFile } from './pair-files.ts';
import type { ScoredPair } from './scored-pair.ts';
import type { SourceConfig } from './source-config.ts';
import {
  type BatchSource,
  dictionarySource,
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

  const sources = sourceConfigs.flatMap((source, index): { source: BatchSource; weight: number }[] => {
    const seed = config.seed * 1_000 + index;
    const loss = createLoss(source.loss ?? config.loss);
    switch (source.source) {
      case 'wordnet':
        for (const text of textsOf('wordnet')) texts.add(text);
        summary.push(
          `wordnet: ${wordnetTrain.length} synsets` +
            (source.pairs ? ` (pairs ${JSON.stringify(source.pairs)})` : ''),
        );
        hash.update(`wordnet pairs ${JSON.stringify(source.pairs ?? null)}`);
        return [
          {
            source: wordnetSource(wordnetTrain, featurizer, loss, batchSize, config.seed, source.pairs),
            weight: source.weight,
          },
        ];
      case 'gcide': {
        const entries = loadGcide(source.dir);
        if (!entries) {
          const missing = `${gcideFile(source.dir)} not found (Debian package dict-gcide)`;
          if (!source.optional) throw new Error(`the config trains on data that is missing:\n  ${missing}`);
          summary.push(
            `gcide: skipped, ${missing}; training on the other sources (apt-get install dict-gcide adds it)`,
          );
          return [];
        }
        // `data.limit` caps the dictionary's words as it caps WordNet's synsets (a seeded sample).
        const words = sampleWords(dictionaryWords(entries), config.data.limit, config.seed);
        for (const word of words) {
          texts.add(word.headword);
          for (const definition of word.definitions) texts.add(definition);
        }
        hash.update(`gcide ${gcideFingerprint(source.dir)}`);
        summary.push(
          `gcide: ${words.length} headwords, ${entries.length} entries (${gcideFile(source.dir)})`,
        );
        return [
          {
            source: dictionarySource('gcide', words, featurizer, loss, batchSize, seed),
            weight: source.weight,
          },
        ];
      }
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
          return [
            {
              source: scoredPairSource(name, pairs, featurizer, loss, batchSize, seed),
              weight: source.weight,
            },
          ];
        }
        const positives = all.filter((p) => p.score >= minScore);
        if (positives.length < batchSize) {
          throw new Error(
            `${label}: only ${positives.length} pairs score at least minScore ${minScore}, fewer than a batch (${batchSize})`,
          );
        }
        const pairs = scored(`${label} >= ${minScore}`, positives);
        return [
          {
            source: positivePairSource(`${name}_positives`, pairs, featurizer, loss, batchSize, seed),
            weight: source.weight,
          },
        ];
      }
      case 'views': {
        const viewTexts = source.of.flatMap(textsOf);
        summary.push(`views: ${viewTexts.length} texts of ${source.of.join(', ')}`);
        return [
          {
            source: viewsSource(viewTexts, featurizer, source.augment, loss, batchSize, seed),
            weight: source.weight,
          },
        ];
      }
    }
  });
  return { sources, texts: [...texts], data, fingerprint: hash.digest('hex'), summary };
}

function sampleWords<T>(words: T[], limit: number, seed: number): T[] {
  if (limit <= 0 || limit >= words.length) return words;
  return shuffle([...words], mulberry32(seed + 7919)).slice(0, limit);
}

/** The texts WordNet pairs are drawn from: glosses, lemmas and examples. */
export function wordnetTexts(synsets: readonly Synset[]): string[] {
  return synsets.flatMap((s) => [s.gloss, ...s.lemmas, ...s.examples]);
}
