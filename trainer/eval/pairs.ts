import { z } from 'zod';
import { JsonNumberSchema } from '../../shared/validation.ts';
import { averageRanks, checkFinite } from './ranks.ts';

/**
 * Decisions on pairs: given a similarity score per pair (higher = more alike) and whether the pair truly
 * matches, how well does thresholding the score decide? Convention everywhere: `score >= threshold`
 * means "match". Matches are given as 1/0 or true/false.
 */
export type PairMatches = ArrayLike<number | boolean>;

interface Sweep {
  /** Distinct scores, highest first, with the true and false positives of `score >= threshold`. */
  thresholds: number[];
  truePositives: number[];
  falsePositives: number[];
  positives: number;
  negatives: number;
}

function sweep(scores: ArrayLike<number>, matches: PairMatches): Sweep {
  const truth = toBooleans(scores, matches);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const result: Sweep = { thresholds: [], truePositives: [], falsePositives: [], positives: 0, negatives: 0 };
  let tp = 0;
  let fp = 0;
  order.forEach((i, position) => {
    if (truth[i]) tp++;
    else fp++;
    const next = order[position + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      result.thresholds.push(scores[i]);
      result.truePositives.push(tp);
      result.falsePositives.push(fp);
    }
  });
  result.positives = tp;
  result.negatives = fp;
  return result;
}

function toBooleans(scores: ArrayLike<number>, matches: PairMatches): boolean[] {
  if (scores.length !== matches.length)
    throw new Error(`${scores.length} scores for ${matches.length} labels`);
  if (scores.length === 0) throw new Error('no pairs to score');
  checkFinite(scores, 'scores');
  return Array.from(matches, (m, i) => {
    if (m === true || m === 1) return true;
    if (m === false || m === 0) return false;
    throw new Error(`matches[${i}] = ${m}: expected 1/0 or true/false`);
  });
}

function requireBothClasses(positives: number, negatives: number, metric: string): void {
  if (positives === 0 || negatives === 0) {
    throw new Error(`${metric} is undefined unless there are both matching and non-matching pairs`);
  }
}

/**
 * Area under the ROC curve, equal to sklearn's roc_auc_score: the probability that a random match scores
 * above a random non-match, ties counting one half (the Mann-Whitney U statistic over average ranks).
 * Like sklearn, it throws when only one class is present.
 */
export function rocAuc(scores: ArrayLike<number>, matches: PairMatches): number {
  const truth = toBooleans(scores, matches);
  const ranks = averageRanks(scores);
  let positives = 0;
  let rankSum = 0;
  truth.forEach((isMatch, i) => {
    if (!isMatch) return;
    positives++;
    rankSum += ranks[i];
  });
  const negatives = truth.length - positives;
  requireBothClasses(positives, negatives, 'ROC-AUC');
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision as sklearn's average_precision_score: sum over distinct thresholds (highest first)
 * of (recall_n - recall_(n-1)) x precision_n, without interpolation. sklearn returns 0 with a warning when
 * there are no matches; we throw, because that number would read as a bad model rather than no data.
 */
export function averagePrecision(scores: ArrayLike<number>, matches: PairMatches): number {
  const s = sweep(scores, matches);
  if (s.positives === 0) throw new Error('average precision is undefined without matching pairs');
  let ap = 0;
  let previousRecall = 0;
  s.thresholds.forEach((_, n) => {
    const recall = s.truePositives[n] / s.positives;
    ap += (recall - previousRecall) * (s.truePositives[n] / (s.truePositives[n] + s.falsePositives[n]));
    previousRecall = recall;
  });
  return ap;
}

export const ThresholdChoiceSchema = z.object({
  /** Predict "match" when score >= threshold. */
  threshold: JsonNumberSchema,
  accuracy: JsonNumberSchema,
  precision: JsonNumberSchema,
  recall: JsonNumberSchema,
  f1: JsonNumberSchema,
});
export type ThresholdChoice = z.infer<typeof ThresholdChoiceSchema>;

/** Every cut of the sweep, plus "nothing matches" (a threshold just above the highest score). */
function choices(s: Sweep): ThresholdChoice[] {
  const total = s.positives + s.negatives;
  const describe = (threshold: number, tp: number, fp: number): ThresholdChoice => {
    const fn = s.positives - tp;
    return {
      threshold,
      accuracy: (tp + s.negatives - fp) / total,
      precision: tp + fp > 0 ? tp / (tp + fp) : 1,
      recall: s.positives > 0 ? tp / s.positives : 0,
      f1: tp > 0 ? (2 * tp) / (2 * tp + fp + fn) : 0,
    };
  };
  return [
    describe(nextUp(s.thresholds[0]), 0, 0),
    ...s.thresholds.map((t, n) => describe(t, s.truePositives[n], s.falsePositives[n])),
  ];
}

/** The threshold with the best accuracy; among equals the highest threshold (the most conservative). */
export function bestAccuracyThreshold(scores: ArrayLike<number>, matches: PairMatches): ThresholdChoice {
  return best(choices(sweep(scores, matches)), (c) => c.accuracy);
}

/** The threshold with the best F1 on the matching class; among equals the highest threshold. */
export function bestF1Threshold(scores: ArrayLike<number>, matches: PairMatches): ThresholdChoice {
  return best(choices(sweep(scores, matches)), (c) => c.f1);
}

function best(candidates: ThresholdChoice[], value: (c: ThresholdChoice) => number): ThresholdChoice {
  return candidates.reduce((top, c) => (value(c) > value(top) ? c : top));
}

/**
 * Calibrates a decision threshold: the smallest threshold whose matches (score >= threshold) reach the
 * target precision on these pairs, which is the one with the most recall at that precision. Null when
 * no threshold reaches it. "Nothing matches" is never chosen: it has no precision to speak of.
 */
export function thresholdForPrecision(
  scores: ArrayLike<number>,
  matches: PairMatches,
  targetPrecision: number,
): ThresholdChoice | null {
  if (!(targetPrecision > 0 && targetPrecision <= 1))
    throw new Error(`target precision must be in (0, 1], got ${targetPrecision}`);
  const reaching = choices(sweep(scores, matches))
    .slice(1)
    .filter((c) => c.precision >= targetPrecision);
  return reaching.length > 0 ? reaching[reaching.length - 1] : null;
}

export const PairMetricsSchema = z.object({
  rocAuc: JsonNumberSchema,
  averagePrecision: JsonNumberSchema,
  bestAccuracy: ThresholdChoiceSchema,
  bestF1: ThresholdChoiceSchema,
});
export type PairMetrics = z.infer<typeof PairMetricsSchema>;

export function pairMetrics(scores: ArrayLike<number>, matches: PairMatches): PairMetrics {
  return {
    rocAuc: rocAuc(scores, matches),
    averagePrecision: averagePrecision(scores, matches),
    bestAccuracy: bestAccuracyThreshold(scores, matches),
    bestF1: bestF1Threshold(scores, matches),
  };
}

/** The smallest float64 above x: a threshold no score reaches, which still serialises to JSON. */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}
