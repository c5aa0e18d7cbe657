import { z } from 'zod';
import { JsonNumberSchema } from '../../shared/validation.ts';
import { nextUp } from './pairs.ts';
import { checkFinite } from './ranks.ts';

/**
 * Verification: is a pair the same identity (class, synset) or not, decided by `score >= threshold`?
 * A genuine pair accepted is a true accept, an impostor pair accepted a false accept:
 * FAR(t) = impostors scoring >= t / impostors, TAR(t) = genuine pairs scoring >= t / genuine pairs,
 * FRR = 1 - TAR. Scores and the same/different flags come apart (two typed arrays) so millions of pairs
 * cost two typed-array sorts, not an index sort.
 */

/** The ROC as every distinct threshold, highest first, preceded by "nothing is accepted" (nextUp(max)). */
export interface RocCurve {
  thresholds: Float64Array;
  far: Float64Array;
  tar: Float64Array;
  genuine: number;
  impostors: number;
}

export const OperatingPointSchema = z.object({
  threshold: JsonNumberSchema,
  far: JsonNumberSchema,
  tar: JsonNumberSchema,
});
export type OperatingPoint = z.infer<typeof OperatingPointSchema>;

export const TarAtFarSchema = OperatingPointSchema.extend({
  /** The false-accept rate asked for; `far` is the one reached on these pairs (<= it). */
  targetFar: z.number(),
});
export type TarAtFar = z.infer<typeof TarAtFarSchema>;

export const VerificationMetricsSchema = z.object({
  genuine: z.number().int().nonnegative(),
  impostors: z.number().int().nonnegative(),
  /** Equal error rate: where FAR = FRR on the ROC (linear between its points), and the threshold there. */
  eer: z.object({ rate: JsonNumberSchema, threshold: JsonNumberSchema }),
  /** TAR at FAR 1e-2 and 1e-3 (or the FARs asked for), with their thresholds. */
  tarAtFar: z.array(TarAtFarSchema),
});
export type VerificationMetrics = z.infer<typeof VerificationMetricsSchema>;

/**
 * The ROC of `score >= threshold` over every distinct score (sklearn's roc_curve with
 * drop_intermediate=False, its leading infinite threshold replaced by nextUp(max) to stay finite JSON).
 */
export function rocCurve(genuineScores: ArrayLike<number>, impostorScores: ArrayLike<number>): RocCurve {
  checkFinite(genuineScores, 'genuine scores');
  checkFinite(impostorScores, 'impostor scores');
  if (genuineScores.length === 0 || impostorScores.length === 0)
    throw new Error('verification needs both genuine (same) and impostor (different) pairs');
  const genuine = Float64Array.from(genuineScores).sort().reverse();
  const impostors = Float64Array.from(impostorScores).sort().reverse();
  const thresholds = [nextUp(Math.max(genuine[0], impostors[0]))];
  const far = [0];
  const tar = [0];
  let g = 0;
  let i = 0;
  while (g < genuine.length || i < impostors.length) {
    const next = Math.max(
      g < genuine.length ? genuine[g] : -Infinity,
      i < impostors.length ? impostors[i] : -Infinity,
    );
    while (g < genuine.length && genuine[g] === next) g++;
    while (i < impostors.length && impostors[i] === next) i++;
    thresholds.push(next);
    far.push(i / impostors.length);
    tar.push(g / genuine.length);
  }
  return {
    thresholds: Float64Array.from(thresholds),
    far: Float64Array.from(far),
    tar: Float64Array.from(tar),
    genuine: genuine.length,
    impostors: impostors.length,
  };
}

/**
 * Equal error rate: FAR rises and FRR falls as the threshold goes down; between the last ROC point with
 * FAR < FRR and the first with FAR >= FRR the two are joined by straight lines and the rate is where they
 * cross. The threshold is that first point's: the highest threshold whose FAR reaches its FRR.
 */
export function equalErrorRate(roc: RocCurve): { rate: number; threshold: number } {
  const frr = (n: number) => 1 - roc.tar[n];
  let n = 0;
  while (roc.far[n] < frr(n)) n++;
  if (n === 0) return { rate: roc.far[0], threshold: roc.thresholds[0] };
  const [a, b] = [roc.far[n - 1], frr(n - 1)];
  const [c, d] = [roc.far[n], frr(n)];
  const along = (b - a) / (b - a - (d - c));
  return { rate: a + along * (c - a), threshold: roc.thresholds[n] };
}

/** The most genuine pairs accepted while impostors are accepted at most at `targetFar`: the lowest such threshold. */
export function tarAtFar(roc: RocCurve, targetFar: number): TarAtFar {
  if (!(targetFar >= 0 && targetFar <= 1)) throw new Error(`target FAR must be in [0, 1], got ${targetFar}`);
  let n = 0;
  while (n + 1 < roc.far.length && roc.far[n + 1] <= targetFar) n++;
  return { targetFar, threshold: roc.thresholds[n], far: roc.far[n], tar: roc.tar[n] };
}

export const DEFAULT_TARGET_FARS = [1e-2, 1e-3] as const;

/** The false-accept rate a served verification threshold is calibrated for, unless a config says. */
export const DEFAULT_VERIFICATION_FAR = 1e-3;

export function verificationMetrics(
  genuineScores: ArrayLike<number>,
  impostorScores: ArrayLike<number>,
  targetFars: readonly number[] = DEFAULT_TARGET_FARS,
): VerificationMetrics {
  const roc = rocCurve(genuineScores, impostorScores);
  return {
    genuine: roc.genuine,
    impostors: roc.impostors,
    eer: equalErrorRate(roc),
    tarAtFar: targetFars.map((far) => tarAtFar(roc, far)),
  };
}

/** FAR and TAR of one threshold on other pairs: how a calibrated threshold holds up on test pairs. */
export function operatingPoint(
  genuineScores: ArrayLike<number>,
  impostorScores: ArrayLike<number>,
  threshold: number,
): OperatingPoint {
  const accepted = (scores: ArrayLike<number>) => {
    let count = 0;
    for (let n = 0; n < scores.length; n++) if (scores[n] >= threshold) count++;
    return count / scores.length;
  };
  return { threshold, far: accepted(impostorScores), tar: accepted(genuineScores) };
}

/** At most `points` points of the ROC, evenly spaced along it, ends kept: enough to draw it. */
export function rocForDrawing(roc: RocCurve, points = 200): OperatingPoint[] {
  const last = roc.thresholds.length - 1;
  const step = Math.max(1, last / (points - 1));
  const picked = new Set<number>();
  for (let x = 0; x < last; x += step) picked.add(Math.round(x));
  picked.add(last);
  return [...picked].map((n) => ({ threshold: roc.thresholds[n], far: roc.far[n], tar: roc.tar[n] }));
}

/** Counts of scores in `bins` equal bins over [low, high] (values outside are clamped into the ends). */
export function scoreHistogram(
  scores: ArrayLike<number>,
  low = -1,
  high = 1,
  bins = 40,
): { low: number; high: number; counts: number[] } {
  const counts = new Array<number>(bins).fill(0);
  const width = (high - low) / bins;
  for (let n = 0; n < scores.length; n++) {
    counts[Math.min(bins - 1, Math.max(0, Math.floor((scores[n] - low) / width)))]++;
  }
  return { low, high, counts };
}
