import { describe, expect, it } from 'vitest';
import { countProgress, type ProgressReporter, timedStep } from './progress.ts';

const recorder = (): ProgressReporter & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, update: () => undefined, log: (m) => lines.push(m), done: () => undefined };
};

describe('stage progress', () => {
  it('countProgress logs at most every few seconds, always at the end, with rate and ETA', () => {
    const progress = recorder();
    const tick = countProgress(progress, 'indexing items', 1000, 3600);
    for (let done = 100; done < 1000; done += 100) tick(done);
    expect(progress.lines).toEqual([]);
    tick(1000);
    expect(progress.lines).toHaveLength(1);
    expect(progress.lines[0]).toMatch(/^indexing items 1000\/1000 \(\d+\/s\) in \d+s$/);
  });

  it('countProgress with no throttle shows the ETA of the work left', () => {
    const progress = recorder();
    countProgress(progress, 'queries', 10, 0)(5);
    expect(progress.lines[0]).toMatch(/^queries 5\/10 \(\d+\/s\) ETA (\d+s|\?)$/);
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
