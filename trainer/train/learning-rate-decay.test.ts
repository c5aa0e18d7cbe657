import { describe, expect, it } from 'vitest';
import { LearningRateDecaySchema, learningRateFactor } from './learning-rate-decay.ts';

describe('learningRateFactor', () => {
  it("keeps the rate with 'none'", () => {
    expect([0, 500, 1000, 2000].map((s) => learningRateFactor('none', s, 1000))).toEqual([1, 1, 1, 1]);
  });

  it("falls in a straight line to zero with 'linear'", () => {
    expect(learningRateFactor('linear', 0, 1000)).toBe(1);
    expect(learningRateFactor('linear', 250, 1000)).toBeCloseTo(0.75, 12);
    expect(learningRateFactor('linear', 999, 1000)).toBeCloseTo(0.001, 12);
    expect(learningRateFactor('linear', 1200, 1000)).toBe(0);
  });

  it("follows PyTorch CosineAnnealingLR's recursive form (eta_min 0) with 'cosine'", () => {
    // torch/optim/lr_scheduler.py: eta_t = eta_{t-1} (1 + cos(pi t / T)) / (1 + cos(pi (t - 1) / T)).
    const total = 40;
    let eta = 1;
    for (let t = 1; t < total; t++) {
      eta *= (1 + Math.cos((Math.PI * t) / total)) / (1 + Math.cos((Math.PI * (t - 1)) / total));
      expect(learningRateFactor('cosine', t, total)).toBeCloseTo(eta, 10);
    }
    expect(learningRateFactor('cosine', 0, total)).toBe(1);
    expect(learningRateFactor('cosine', total / 2, total)).toBeCloseTo(0.5, 12);
    expect(learningRateFactor('cosine', total, total)).toBeCloseTo(0, 12);
    expect(learningRateFactor('cosine', 2 * total, total)).toBeCloseTo(0, 12);
  });

  it('refuses an unknown schedule', () => {
    expect(() => LearningRateDecaySchema.parse('step')).toThrow();
  });
});
