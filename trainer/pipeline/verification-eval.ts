import { z } from 'zod';
import { dot } from '../../shared/vector.ts';
import {
  OperatingPointSchema,
  operatingPoint,
  rocCurve,
  rocForDrawing,
  scoreHistogram,
  TarAtFarSchema,
  tarAtFar,
  VerificationMetricsSchema,
  verificationMetrics,
} from '../eval/verification.ts';

/** Genuine (same identity) and impostor pair scores of one split. */
export interface PairScores {
  genuine: number[];
  impostors: number[];
}

/** An index pair (row of `a`, row of `b`) and whether it is the same identity; null leaves it out. */
export type PairJudge = (i: number, j: number) => boolean | null;

/**
 * Cosine scores of pairs of unit rows: each row i of `a` with row i of `b` when `diagonal` (a text's own
 * counterpart), and with `perRow` rows j != i of `b` drawn at random; `judge` says which are genuine.
 */
export function samplePairScores(options: {
  a: Float32Array;
  b: Float32Array;
  dim: number;
  perRow: number;
  random: () => number;
  judge: PairJudge;
  diagonal: boolean;
}): PairScores {
  const { a, b, dim, perRow, random, judge } = options;
  const rows = a.length / dim;
  const candidates = b.length / dim;
  const scores: PairScores = { genuine: [], impostors: [] };
  const add = (i: number, j: number) => {
    const same = judge(i, j);
    if (same === null) return;
    const score = dot(a.subarray(i * dim, (i + 1) * dim), b.subarray(j * dim, (j + 1) * dim));
    (same ? scores.genuine : scores.impostors).push(score);
  };
  for (let i = 0; i < rows; i++) {
    if (options.diagonal) add(i, i);
    for (let n = 0; n < perRow; n++) {
      const j = (i + 1 + Math.floor(random() * (candidates - 1))) % candidates;
      add(i, j);
    }
  }
  return scores;
}

/** What evaluation records about verification, and what the report draws. */
export const VerificationEvaluationSchema = z.object({
  /** Which pairs set the threshold and which judged it. */
  calibratedOn: z.string(),
  targetFar: z.number(),
  /** Calibrated on the validation pairs: the lowest threshold whose FAR there is at most the target. */
  calibration: TarAtFarSchema,
  /** On the test pairs: EER and TAR at FAR 1e-2 and 1e-3, and how the calibrated threshold holds up. */
  test: VerificationMetricsSchema.extend({ atThreshold: OperatingPointSchema }),
  histograms: z.object({
    genuine: z.array(z.number()),
    impostors: z.array(z.number()),
    low: z.number(),
    high: z.number(),
  }),
  roc: z.array(OperatingPointSchema),
});
export type VerificationEvaluation = z.infer<typeof VerificationEvaluationSchema>;

export function evaluateVerification(options: {
  validation: PairScores;
  test: PairScores;
  targetFar: number;
  calibratedOn: string;
}): VerificationEvaluation {
  const { validation, test, targetFar } = options;
  const calibration = tarAtFar(rocCurve(validation.genuine, validation.impostors), targetFar);
  const genuine = scoreHistogram(test.genuine);
  return {
    calibratedOn: options.calibratedOn,
    targetFar,
    calibration,
    test: {
      ...verificationMetrics(test.genuine, test.impostors),
      atThreshold: operatingPoint(test.genuine, test.impostors, calibration.threshold),
    },
    histograms: {
      genuine: genuine.counts,
      impostors: scoreHistogram(test.impostors).counts,
      low: genuine.low,
      high: genuine.high,
    },
    roc: rocForDrawing(rocCurve(test.genuine, test.impostors)),
  };
}

/** The manifest's `verification`: what /v1/verify answers with unless a request gives its own threshold. */
export function manifestVerification(evaluation: VerificationEvaluation) {
  return {
    threshold: Math.min(1, Math.max(-1, evaluation.calibration.threshold)),
    target_far: evaluation.targetFar,
    calibrated_on: evaluation.calibratedOn,
    test_far: evaluation.test.atThreshold.far,
    test_tar: evaluation.test.atThreshold.tar,
    test_eer: evaluation.test.eer.rate,
  };
}

/** One log line: the calibrated threshold and the test figures. */
export function describeVerification(v: VerificationEvaluation): string {
  const tar = v.test.tarAtFar.map((t) => `TAR@FAR ${t.targetFar} ${t.tar.toFixed(4)}`).join(', ');
  return (
    `verification threshold for FAR ${v.targetFar}: ${v.calibration.threshold.toFixed(4)} ` +
    `(test: FAR ${v.test.atThreshold.far.toFixed(5)}, TAR ${v.test.atThreshold.tar.toFixed(4)}); ` +
    `test EER ${v.test.eer.rate.toFixed(4)}, ${tar} (${v.test.genuine} same, ${v.test.impostors} different pairs)`
  );
}
