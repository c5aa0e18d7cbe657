import { describe, expect, it } from 'vitest';
import { renderAnswers, replaceBetweenMarkers } from './docs-examples.ts';

describe('README example answers', () => {
  it('replaces only what lies between the markers', () => {
    const readme = 'intro\n<!-- answers:start -->\nold\nlines\n<!-- answers:end -->\noutro\n';
    expect(replaceBetweenMarkers(readme, 'answers', 'new')).toBe(
      'intro\n<!-- answers:start -->\nnew\n<!-- answers:end -->\noutro\n',
    );
  });

  it('refuses a README without both markers, or with them twice', () => {
    expect(() => replaceBetweenMarkers('no markers', 'answers', 'x')).toThrow(/<!-- answers:start -->/);
    const twice = '<!-- a:start -->\n<!-- a:end -->\n<!-- a:start -->\n<!-- a:end -->';
    expect(() => replaceBetweenMarkers(twice, 'a', 'x')).toThrow(/once each/);
  });

  it('lines up each query with its results, scores to three decimals, long texts cut at a word', () => {
    const long = `thermometer: ${'measuring instrument for measuring temperature '.repeat(3)}`;
    const block = renderAnswers([
      { query: 'to move quickly', results: [{ score: 0.8192, text: 'whisk: move quickly and nimbly' }] },
      {
        query: 'temperature',
        results: [
          { score: 0.5, text: 'cryometer: cold' },
          { score: 0.49, text: long },
        ],
      },
    ]);
    const lines = block.split('\n');
    expect(lines[0]).toBe('```');
    expect(lines[1]).toBe('to move quickly   0.819 whisk: move quickly and nimbly');
    expect(lines[2]).toBe('temperature       0.500 cryometer: cold');
    expect(lines[3]).toMatch(/^ {18}0\.490 thermometer: measuring .* \.\.\.$/);
    expect(lines[3].length).toBeLessThanOrEqual(18 + 6 + 88);
    const kept = lines[3].slice(24, -' ...'.length);
    expect(long.startsWith(kept) && long[kept.length] === ' ').toBe(true);
    expect(lines.at(-1)).toBe('```');
  });
});
