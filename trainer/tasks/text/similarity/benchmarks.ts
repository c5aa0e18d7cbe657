import type { PairBenchmark } from './evaluate.ts';
import { sentencesOf } from './evaluate.ts';
import { loadPaws } from './paws.ts';
import { MissingDataError, type ScoredPair } from './scored-pair.ts';
import { splitKeepingSharedTexts } from './split.ts';
import { loadStsBenchmark } from './sts-benchmark.ts';

/**
 * Fixed splits, so every run trains and selects on the same pairs. Only PAWS-Wiki's dev split is
 * available, so a quarter of it is held out for evaluation and the rest may be trained on. A tenth of
 * STS-B train is held out for checkpoint selection and threshold calibration, so STS-B dev stays unseen
 * until the final evaluation.
 */
export const PAWS_SPLIT = { heldOutFraction: 0.25, seed: 20261128 } as const;
export const STS_VALIDATION_SPLIT = { heldOutFraction: 0.1, seed: 20261129 } as const;

/** STS-B and PAWS as the training mix and the evaluation use them; a part is absent when its files are. */
export interface SimilarityData {
  /** `train` is STS-B train without `validation`. */
  sts?: { train: ScoredPair[]; validation: ScoredPair[]; dev: ScoredPair[] };
  paws?: { train: ScoredPair[]; heldOut: ScoredPair[] };
  /** Why a part is absent: path and what to do, for logs. */
  missing: string[];
}

export function loadSimilarityData(datasetsRoot: string): SimilarityData {
  const data: SimilarityData = { missing: [] };
  const attempt = (load: () => void) => {
    try {
      load();
    } catch (error) {
      if (!(error instanceof MissingDataError)) throw error;
      data.missing.push(error.message);
    }
  };
  attempt(() => {
    const { train, heldOut } = splitKeepingSharedTexts(
      loadStsBenchmark(datasetsRoot, 'train'),
      STS_VALIDATION_SPLIT.heldOutFraction,
      STS_VALIDATION_SPLIT.seed,
    );
    data.sts = { train, validation: heldOut, dev: loadStsBenchmark(datasetsRoot, 'dev') };
  });
  attempt(() => {
    data.paws = splitKeepingSharedTexts(loadPaws(datasetsRoot), PAWS_SPLIT.heldOutFraction, PAWS_SPLIT.seed);
  });
  return data;
}

/** STS-B dev (graded, baselines fitted on STS-B train) and PAWS held-out (baselines fitted on PAWS train). */
export function similarityBenchmarks(data: SimilarityData): PairBenchmark[] {
  const benchmarks: PairBenchmark[] = [];
  if (data.sts) {
    // The baselines fit on the whole STS-B train file: the validation slice is training data to them.
    const fitTexts = sentencesOf([...data.sts.train, ...data.sts.validation]);
    benchmarks.push({ name: 'stsb_dev', kind: 'graded', pairs: data.sts.dev, fitTexts });
  }
  if (data.paws) {
    benchmarks.push({
      name: 'paws_heldout',
      kind: 'paraphrase',
      pairs: data.paws.heldOut,
      fitTexts: sentencesOf(data.paws.train),
    });
  }
  return benchmarks;
}
