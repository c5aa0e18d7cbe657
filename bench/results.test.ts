import { describe, expect, it } from 'vitest';
import { mergeSections, type SectionResult } from './results.ts';

const section = (name: string, seconds: number): SectionResult => ({
  name,
  title: name,
  status: 'ran',
  ran_at: '2026-11-28T10:00:00.000Z',
  seconds,
  load_average: 0,
  notes: [],
  rows: [],
  pending_targets: [],
});

describe('mergeSections', () => {
  it("replaces the day's earlier sections by name, keeps the others, and orders them canonically", () => {
    const merged = mergeSections(
      [section('http', 1), section('embed', 1)],
      [section('embed', 2), section('knn', 2)],
      ['embed', 'knn', 'http'],
    );
    expect(merged.map((s) => [s.name, s.seconds])).toEqual([
      ['embed', 2],
      ['knn', 2],
      ['http', 1],
    ]);
  });
});
