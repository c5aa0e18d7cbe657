import { describe, expect, it } from 'vitest';
import { countProgress, type ProgressReporter, timedStep } from './progress.ts';

const recorder = (): ProgressReporter & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, update: () => undefined, log: (m) => lines.push(m), done: () => undefined };
};

describe('stage progress', () => {
  it('countProgress says nothing about work done within its first interval', () => {
    const progress = recorder();
    const tick = countProgress(progress, 'indexing items', 1000, 3600);
    for (let done = 100; done <= 1000; done += 100) tick(done);
    expect(progress.lines).toEqual([]);
  });

  it('countProgress logs the count, rate and ETA once due, and a last line when done', () => {
    const progress = recorder();
    const tick = countProgress(progress, 'queries', 10, 0);
    tick(5);
    tick(10);
    expect(progress.lines).toHaveLength(2);
    expect(progress.lines[0]).toMatch(/^queries 5\/10 \(\d+\/s\) ETA (\d+s|\?)$/);
    expect(progress.lines[1]).toMatch(/^queries 10\/10 \(\d+\/s\) in \d+s$/);
  });

  it('timedStep logs the start and the time of sync and async work and returns its result', async () => {
    const progress = recorder();
    expect(timedStep(progress, 'k-means', () => 42)).toBe(42);
    expect(await timedStep(progress, 'embedding', async () => 'done')).toBe('done');
    expect(progress.lines).toEqual([
      'k-means...',
      expect.stringMatching(/^k-means done in \d+s$/),
      'embedding...',
      expect.stringMatching(/^embedding done in \d+s$/),
    ]);
  });
});
