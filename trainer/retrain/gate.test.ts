import { describe, expect, it } from 'vitest';
import { GateSchema, judge } from './gate.ts';

const gate = GateSchema.parse({
  metric: 'mean_average_precision_at_r',
  tolerance: 0.005,
  floors: { precision_at_1: 0.1 },
});
const scores = (map: number, p1 = 0.5) => ({ mean_average_precision_at_r: map, precision_at_1: p1 });

describe('the promotion gate', () => {
  it('promotes a candidate that is better, equal, or worse by at most the tolerance', () => {
    for (const candidate of [0.31, 0.3, 0.2951]) {
      const decision = judge(gate, scores(candidate), scores(0.3));
      expect(decision, String(candidate)).toMatchObject({ promote: true, candidate, champion: 0.3 });
    }
    expect(judge(gate, scores(0.31), scores(0.3)).reason).toBe(
      "mean_average_precision_at_r 0.3100 vs the champion's 0.3000 (+0.0100, tolerance 0.0050); every floor met",
    );
  });

  it('rejects a candidate worse than the champion by more than the tolerance', () => {
    const decision = judge(gate, scores(0.29), scores(0.3));
    expect(decision.promote).toBe(false);
    expect(decision.reason).toBe(
      "worse than the champion: mean_average_precision_at_r 0.2900 vs the champion's 0.3000 (-0.0100, tolerance 0.0050)",
    );
  });

  it('rejects a candidate below a floor even when it beats the champion', () => {
    const decision = judge(gate, scores(0.5, 0.05), scores(0.3, 0.01));
    expect(decision).toMatchObject({
      promote: false,
      reason: 'precision_at_1 0.0500 is below its floor 0.1000',
    });
  });

  it('lets the floors alone decide when there is no champion', () => {
    expect(judge(gate, scores(0.01), undefined)).toMatchObject({
      promote: true,
      champion: null,
      reason: 'no champion yet: mean_average_precision_at_r 0.0100; every floor met',
    });
    expect(judge(gate, scores(0.01, 0), undefined).promote).toBe(false);
  });

  it('defaults to a tolerance of 0.005 and no floors; the metric is required (the config supplies its default)', () => {
    expect(GateSchema.parse({ metric: 'ndcg_at_10' })).toEqual({
      metric: 'ndcg_at_10',
      tolerance: 0.005,
      floors: {},
    });
    expect(() => GateSchema.parse({})).toThrow();
    expect(() => GateSchema.parse({ metric: 'ndcg_at_10', tolerance: -1 })).toThrow();
  });

  it('names the metric it cannot find', () => {
    expect(() => judge({ ...gate, metric: 'recall_at_3' }, scores(0.3), undefined)).toThrow(
      "the gate needs 'recall_at_3' but the candidate's evaluation has mean_average_precision_at_r, precision_at_1",
    );
  });
});
