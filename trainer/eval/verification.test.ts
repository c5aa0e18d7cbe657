import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextUp, rocAuc } from './pairs.ts';
import {
  equalErrorRate,
  operatingPoint,
  rocCurve,
  rocForDrawing,
  scoreHistogram,
  tarAtFar,
  verificationMetrics,
} from './verification.ts';

/** FAR and TAR of every candidate threshold, counted pair by pair from the definitions. */
function bruteForce(genuine: number[], impostors: number[]) {
  const candidates = [...new Set([...genuine, ...impostors])].sort((a, b) => b - a);
  candidates.unshift(nextUp(candidates[0]));
  return candidates.map((t) => ({
    threshold: t,
    far: impostors.filter((s) => s >= t).length / impostors.length,
    tar: genuine.filter((s) => s >= t).length / genuine.length,
  }));
}

function bruteForceEer(genuine: number[], impostors: number[]) {
  const points = bruteForce(genuine, impostors);
  const first = points.findIndex((p) => p.far >= 1 - p.tar);
  const [before, at] = [points[first - 1], points[first]];
  // FAR and FRR as straight lines between the two points; solve FAR = FRR.
  for (let lo = 0, hi = 1, step = 0; ; step++) {
    const mid = (lo + hi) / 2;
    const far = before.far + mid * (at.far - before.far);
    const frr = 1 - (before.tar + mid * (at.tar - before.tar));
    if (step === 200) return { rate: far, threshold: at.threshold };
    if (far < frr) lo = mid;
    else hi = mid;
  }
}

describe('verification metrics', () => {
  /**
   * Genuine 0.9 0.8 0.6 0.3, impostors 0.8 0.5 0.4 0.2 0.1. Going down the thresholds:
   *   t      FAR   TAR   FRR
   *   >0.9   0     0     1
   *   0.9    0     1/4   3/4
   *   0.8    1/5   2/4   2/4
   *   0.6    1/5   3/4   1/4
   *   0.5    2/5   3/4   1/4   <- first FAR >= FRR
   * EER between (0.2, 0.25) and (0.4, 0.25): FRR stays 0.25 while FAR reaches it at 0.25.
   */
  const genuine = [0.9, 0.8, 0.6, 0.3];
  const impostors = [0.8, 0.5, 0.4, 0.2, 0.1];

  it('computes the ROC, the EER and TAR at FAR on a hand-worked case', () => {
    const roc = rocCurve(genuine, impostors);
    expect(Array.from(roc.thresholds)).toEqual([nextUp(0.9), 0.9, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]);
    expect(Array.from(roc.far)).toEqual([0, 0, 0.2, 0.2, 0.4, 0.6, 0.6, 0.8, 1]);
    expect(Array.from(roc.tar)).toEqual([0, 0.25, 0.5, 0.75, 0.75, 0.75, 1, 1, 1]);
    expect(equalErrorRate(roc)).toEqual({ rate: 0.25, threshold: 0.5 });
    expect(tarAtFar(roc, 0.2)).toEqual({ targetFar: 0.2, threshold: 0.6, far: 0.2, tar: 0.75 });
    // Below the first impostor's share nothing but the genuine pairs above every impostor pass.
    expect(tarAtFar(roc, 0.1)).toEqual({ targetFar: 0.1, threshold: 0.9, far: 0, tar: 0.25 });
    expect(operatingPoint(genuine, impostors, 0.6)).toEqual({ threshold: 0.6, far: 0.2, tar: 0.75 });
  });

  it('agrees with counting every threshold, on random pairs with many ties', () => {
    const scores = fc.array(
      fc.integer({ min: -10, max: 10 }).map((x) => x / 10),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(scores, scores, (genuine, impostors) => {
        const roc = rocCurve(genuine, impostors);
        const reference = bruteForce(genuine, impostors);
        expect(Array.from(roc.thresholds)).toEqual(reference.map((p) => p.threshold));
        expect(Array.from(roc.far)).toEqual(reference.map((p) => p.far));
        expect(Array.from(roc.tar)).toEqual(reference.map((p) => p.tar));
        const eer = equalErrorRate(roc);
        const expected = bruteForceEer(genuine, impostors);
        expect(eer.threshold).toBe(expected.threshold);
        expect(eer.rate).toBeCloseTo(expected.rate, 12);
        for (const target of [0, 1e-3, 1e-2, 0.1, 0.5, 1]) {
          const allowed = reference.filter((p) => p.far <= target);
          const best = allowed[allowed.length - 1];
          expect(tarAtFar(roc, target)).toEqual({ targetFar: target, ...best });
        }
      }),
    );
  });

  it('gives EER 0 on separated scores and 0.5 on identical ones, and TAR at the default FARs', () => {
    expect(verificationMetrics([0.9, 0.8], [0.1, 0.2]).eer.rate).toBe(0);
    expect(verificationMetrics([0.5, 0.5], [0.5, 0.5]).eer.rate).toBe(0.5);
    const metrics = verificationMetrics(genuine, impostors);
    expect(metrics.tarAtFar.map((t) => t.targetFar)).toEqual([1e-2, 1e-3]);
    expect(metrics).toMatchObject({ genuine: 4, impostors: 5 });
  });

  it('has ROC points whose area is the ROC-AUC', () => {
    const roc = rocCurve(genuine, impostors);
    let area = 0;
    for (let n = 1; n < roc.far.length; n++)
      area += ((roc.far[n] - roc.far[n - 1]) * (roc.tar[n] + roc.tar[n - 1])) / 2;
    const all = [...genuine, ...impostors];
    const same = all.map((_, n) => (n < genuine.length ? 1 : 0));
    expect(area).toBeCloseTo(rocAuc(all, same), 14);
  });

  it('draws at most the points asked for, ends kept, and bins scores', () => {
    const roc = rocCurve(
      Array.from({ length: 500 }, (_, n) => n / 500),
      Array.from({ length: 500 }, (_, n) => n / 1000),
    );
    const drawn = rocForDrawing(roc, 50);
    expect(drawn.length).toBeLessThanOrEqual(50);
    expect(drawn[0]).toMatchObject({ far: 0, tar: 0 });
    expect(drawn[drawn.length - 1]).toMatchObject({ far: 1, tar: 1 });
    expect(scoreHistogram([-1, 0, 0.99, 1, 2], -1, 1, 4).counts).toEqual([1, 0, 1, 3]);
  });

  it('refuses pairs of one kind only', () => {
    expect(() => rocCurve([0.5], [])).toThrow(/both genuine/);
    expect(() => rocCurve([Number.NaN], [0.1])).toThrow(/not a finite/);
  });
});
