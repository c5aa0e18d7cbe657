import { describe, expect, it } from 'vitest';
import type { Row, SectionResult } from './results.ts';
import { mergeRounds } from './rounds.ts';

const section = (rows: Row[], load: number, status: SectionResult['status'] = 'ran'): SectionResult => ({
  name: 'knn',
  title: 'knn',
  status,
  ran_at: '2026-12-06T05:00:00.000Z',
  seconds: 10,
  load_average: load,
  notes: ['how it measured'],
  rows,
  pending_targets: [],
});
const speedup = (median: number, met: boolean): Row => ({
  group: 'exact',
  figure: 'ours / stock',
  unit: 'x',
  median,
  min: median - 1,
  max: median + 1,
  runs: 100,
  target: { text: '>= 3x', met, better: 'higher' },
});
const latency = (median: number, p99: number): Row => ({
  group: 'latency',
  figure: 'ours',
  unit: 'ms',
  median,
  min: median / 2,
  max: median * 2,
  p99,
  runs: 100,
});

describe('mergeRounds', () => {
  it("takes the median of the rounds' medians, the extremes, the worst p99, and meets a target only in every round", () => {
    const [merged] = mergeRounds([
      [section([speedup(4, true), latency(2, 5)], 0.5)],
      [section([speedup(2.5, false), latency(3, 9)], 1.5)],
      [section([speedup(5, true), latency(1, 4)], 1)],
    ]);
    expect(merged.rows[0]).toMatchObject({
      median: 4,
      min: 1.5,
      max: 6,
      runs: 300,
      rounds: [4, 2.5, 5],
      target: { met: false, rounds_met: 2, worst: 2.5 },
    });
    expect(merged.rows[1]).toMatchObject({ median: 2, min: 0.5, max: 6, p99: 9, rounds: [2, 3, 1] });
    expect(merged.load_average).toBe(1.5);
    expect(merged.seconds).toBe(30);
    expect(merged.notes[0]).toContain('3 independent rounds');
    expect(merged.notes[1]).toBe('how it measured');
  });

  it('keeps a figure given twice in one table, as a latency and as a throughput, apart', () => {
    const throughput = (median: number): Row => ({ ...latency(median, median), unit: 'texts/s' });
    const [merged] = mergeRounds([
      [section([latency(0.1, 1), throughput(10_000)], 1)],
      [section([latency(0.2, 2), throughput(5_000)], 1)],
    ]);
    expect(merged.rows.map((row) => [row.unit, row.rounds])).toEqual([
      ['ms', [0.1, 0.2]],
      ['texts/s', [10_000, 5_000]],
    ]);
  });

  it('takes the worst status, and the highest round as worst when lower is better', () => {
    const lower = (median: number): Row => ({
      ...latency(median, 1),
      target: { text: '<= 1x', met: median <= 1, better: 'lower' },
    });
    const [merged] = mergeRounds([[section([lower(0.8)], 0)], [section([lower(0.9)], 0, 'skipped')]]);
    expect(merged.status).toBe('skipped');
    expect(merged.rows[0].target).toMatchObject({ met: true, rounds_met: 2, worst: 0.9 });
  });

  it('misses a target that a round did not measure (its section skipped that case)', () => {
    const [merged] = mergeRounds([
      [section([speedup(4, true)], 0.5)],
      [section([], 0.5, 'skipped')],
      [section([speedup(5, true)], 0.5)],
    ]);
    expect(merged.rows[0]).toMatchObject({
      rounds: [4, 5],
      note: 'measured in 2 of 3 rounds',
      target: { met: false, rounds_met: 2 },
    });
  });

  it("keeps one note where the rounds agree, and each round's where they differ", () => {
    const noted = (median: number, note: string): Row => ({ ...speedup(median, true), note });
    const [same] = mergeRounds([[section([noted(4, 'a')], 0.5)], [section([noted(5, 'a')], 0.5)]]);
    expect(same.rows[0].note).toBe('a');
    const [differ] = mergeRounds([
      [section([noted(4, '16 connections')], 0.5)],
      [section([noted(5, '32 connections')], 0.5)],
      [section([], 0.5)],
    ]);
    expect(differ.rows[0].note).toBe('measured in 2 of 3 rounds; by round: 16 connections / 32 connections');
  });

  it('leaves a single round as it is', () => {
    const one = [section([speedup(4, true)], 0.5)];
    expect(mergeRounds([one])).toEqual(one);
  });
});
