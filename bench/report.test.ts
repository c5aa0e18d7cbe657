import { describe, expect, it } from 'vitest';
import { formatNumber, renderMarkdown } from './report.ts';
import type { BenchResults, SectionResult } from './results.ts';

const section = (overrides: Partial<SectionResult>): SectionResult => ({
  name: 'knn',
  title: 'knn: search',
  status: 'ran',
  ran_at: '2026-11-28T10:00:00.000Z',
  seconds: 12,
  load_average: 0.5,
  notes: [],
  rows: [],
  pending_targets: [],
  ...overrides,
});

const results: BenchResults = {
  schema_version: 1,
  date: '2026-11-28',
  machine: { cpu: 'Test CPU', cores: 2, memory_gb: 8, node: 'v20.0.0', platform: 'linux x64' },
  sections: [
    section({
      notes: ['queries are glosses'],
      rows: [
        {
          group: 'random 100k: latency',
          figure: 'stock',
          unit: 'ms',
          median: 52.4,
          min: 50,
          max: 61,
          p99: 60,
          runs: 100,
        },
        {
          group: 'random 100k: speedup',
          figure: 'VectorIndex',
          unit: 'x',
          median: 2.6,
          min: 2,
          max: 3,
          runs: 100,
          target: { text: '>= 2x', met: true },
        },
        {
          group: 'random 100k: speedup',
          figure: 'bit',
          unit: 'x',
          median: 1.5,
          runs: 1,
          target: { text: '>= 2x', met: false },
        },
      ],
    }),
    section({
      name: 'train',
      title: 'train',
      pending_targets: [{ text: 'CNN >= 4x', reason: 'no kernel yet' }],
    }),
    section({ name: 'worker', title: 'worker', status: 'pending', notes: ['Workers build'] }),
  ],
};

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(results, 'bench/results/2026-11-28.json');

  it('states the machine, the date and where the figures come from', () => {
    expect(markdown).toContain('Measured on 2026-11-28: Test CPU, 2 cores, 8 GB, Node v20.0.0');
    expect(markdown).toContain('bench/results/2026-11-28.json');
  });

  it('lists every target with its measurement and verdict, pending and unrun ones included', () => {
    expect(markdown).toContain('| knn | random 100k: speedup: VectorIndex | 2.6 x |  |  | >= 2x | MET |');
    expect(markdown).toContain('| knn | random 100k: speedup: bit | 1.5 x |  |  | >= 2x | **MISSED** |');
    expect(markdown).toContain('| train | no kernel yet | | | | CNN >= 4x | PENDING |');
    expect(markdown).toMatch(/\| worker \| \(section pending\) Workers build \| .* PENDING \|/);
  });

  it('renders one table per group with median, min, max and p99', () => {
    expect(markdown).toContain('### random 100k: latency');
    expect(markdown).toContain('| stock | 52.4 |  | 50 | 61 | 60 | ms | 100 |  |  |  |');
    expect(markdown).toContain('- queries are glosses');
  });
});

describe('renderMarkdown of rounds', () => {
  it("gives the worst round and how many rounds met beside a target, and every round's median", () => {
    const rounds: BenchResults = {
      ...results,
      sections: [
        section({
          rows: [
            {
              group: 'exact',
              figure: 'ours',
              unit: 'x',
              median: 4,
              rounds: [4, 2.5, 5],
              runs: 300,
              target: { text: '>= 3x', met: false, better: 'higher', rounds_met: 2, worst: 2.5 },
            },
          ],
        }),
      ],
    };
    const markdown = renderMarkdown(rounds, 'bench/results/2026-11-28.json');
    expect(markdown).toContain('| knn | exact: ours | 4 x | 2.5 x | 2 of 3 | >= 3x | **MISSED** |');
    expect(markdown).toContain('| ours | 4 | 4 / 2.5 / 5 |');
  });
});

describe('formatNumber', () => {
  it('keeps three significant digits and groups thousands', () => {
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(123_456.7)).toBe('123,457');
    expect(formatNumber(0)).toBe('0');
  });
});
