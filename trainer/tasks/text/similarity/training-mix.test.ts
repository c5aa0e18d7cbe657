import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer, type FeatureBatch } from '../../../../shared/featurizer/text.ts';
import { parseTextConfig } from '../config.ts';
import type { Synset } from '../data/wordnet.ts';
import { loadPairFile } from './pair-files.ts';
import { buildTrainingMix } from './training-mix.ts';

const FIXTURES = new URL('../../../../test/fixtures/text/', import.meta.url).pathname;
const emptyDatasets = mkdtempSync(join(tmpdir(), 'text-sim-mix-'));
afterAll(() => rmSync(emptyDatasets, { recursive: true, force: true }));

const synsets: Synset[] = Array.from({ length: 8 }, (_, i) => ({
  id: `n${i}`,
  pos: 'n',
  lexname: 'noun.Tops',
  lemmas: [`lemma${i}`, `alias${i}`],
  gloss: `the gloss of thing ${i}`,
  examples: [],
}));

function configWith(sources: unknown[]) {
  return parseTextConfig(
    {
      name: 'mix-test',
      data: { source: 'wordnet' },
      datasets: emptyDatasets,
      featurizer: { buckets: 1024 },
      loss: { name: 'multiple_negatives_ranking' },
      sources,
      train: { batchSize: 2, steps: 10 },
      index: { collection: 'test' },
    },
    'test config',
  );
}

describe('buildTrainingMix', () => {
  it('reads the shipped JSONL and CSV pair fixtures', () => {
    expect(loadPairFile(join(FIXTURES, 'pairs.jsonl'))).toHaveLength(4);
    expect(loadPairFile(join(FIXTURES, 'pairs.csv'))[1]).toEqual({
      a: 'she said "hello"',
      b: 'she greeted them',
      score: 3.2,
    });
  });

  it('builds WordNet, pair-file and view sources with their weights and one fingerprint', () => {
    const config = configWith([
      { source: 'wordnet', weight: 2 },
      { source: 'pairs', path: join(FIXTURES, 'pairs.jsonl') },
      { source: 'views', of: ['wordnet'], weight: 0.5 },
    ]);
    const mix = buildTrainingMix(config, synsets, 'f'.repeat(64), createTextFeaturizer(config.featurizer));
    expect(mix.sources.map((s) => [s.source.name, s.weight])).toEqual([
      ['wordnet', 2],
      ['pairs', 1],
      ['views', 0.5],
    ]);
    expect(mix.sources[1].source.batch(0).anchors.batch).toBe(2);
    expect(mix.texts).toContain('please open the window');
    expect(mix.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('trains the pairs scored at least minScore as in-batch positives, and refuses a graded loss for them', () => {
    const path = join(FIXTURES, 'pairs.jsonl');
    const all = loadPairFile(path);
    const config = configWith([
      { source: 'pairs', path, minScore: 3, loss: { name: 'multiple_negatives_ranking' } },
    ]);
    const mix = buildTrainingMix(config, synsets, 'f'.repeat(64), createTextFeaturizer(config.featurizer));
    const positives = all.filter((p) => p.score >= 3);
    expect(positives.length).toBeGreaterThanOrEqual(2);
    expect(positives.length).toBeLessThan(all.length);
    expect(mix.sources[0].source.name).toBe('pairs_positives');
    // Row i of the anchors and of the positives is one positive pair: its two sides, featurized.
    const featurizer = createTextFeaturizer(config.featurizer);
    const batch = mix.sources[0].source.batch(0);
    const row = (features: FeatureBatch, i: number) => {
      const at = i * features.length;
      const ids = features.ids.subarray(at, at + features.length);
      return Array.from(ids).filter((_, k) => features.weights[at + k] > 0);
    };
    const alone = (text: string) => row(featurizer.featurizeBatch([text]), 0);
    for (let i = 0; i < batch.anchors.batch; i++) {
      const pair = positives.find((p) => alone(p.a).join() === row(batch.anchors, i).join());
      expect(pair).toBeDefined();
      expect(row(batch.positives, i)).toEqual(alone(pair!.b));
    }
    expect(mix.texts.sort()).toEqual([...new Set(positives.flatMap((p) => [p.a, p.b]))].sort());
    expect(() => configWith([{ source: 'pairs', path, minScore: 3 }])).toThrow(/minScore[\s\S]*not cosent/);
    const strict = configWith([
      { source: 'pairs', path, minScore: 100, loss: { name: 'multiple_negatives_ranking' } },
    ]);
    expect(() =>
      buildTrainingMix(strict, synsets, 'f'.repeat(64), createTextFeaturizer(strict.featurizer)),
    ).toThrow(/only 0 pairs score at least minScore 100/);
  });

  it('refuses a config that trains on STS-B when the data is missing, naming the path', () => {
    const config = configWith([{ source: 'stsb' }]);
    expect(() =>
      buildTrainingMix(config, synsets, 'f'.repeat(64), createTextFeaturizer(config.featurizer)),
    ).toThrow(/missing:[\s\S]*stsbenchmark not found/);
  });

  it('trains on GCIDE when installed; an optional GCIDE that is missing is skipped and said, a required one refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcide-mix-'));
    try {
      const build = (sources: unknown[]) => {
        const config = configWith(sources);
        return buildTrainingMix(config, synsets, 'f'.repeat(64), createTextFeaturizer(config.featurizer));
      };
      const skipped = build([{ source: 'wordnet' }, { source: 'gcide', dir, optional: true }]);
      expect(skipped.sources.map((s) => s.source.name)).toEqual(['wordnet']);
      expect(skipped.summary[1]).toMatch(
        /gcide: skipped, .*gcide\.dict\.dz not found \(Debian package dict-gcide\)/,
      );
      expect(() => build([{ source: 'gcide', dir }])).toThrow(/missing:[\s\S]*gcide\.dict\.dz not found/);

      const entry = (word: string, i: number) =>
        `${word} \\${word}\\, n.\n   the definition of ${word} number ${i}.\n`;
      writeFileSync(join(dir, 'gcide.dict.dz'), gzipSync(['alpha', 'beta', 'gamma'].map(entry).join('\n')));
      const mix = build([{ source: 'wordnet' }, { source: 'gcide', dir, optional: true, weight: 3 }]);
      expect(mix.sources.map((s) => [s.source.name, s.weight])).toEqual([
        ['wordnet', 1],
        ['gcide', 3],
      ]);
      expect(mix.texts).toEqual(expect.arrayContaining(['alpha', 'the definition of beta number 1']));
      expect(mix.fingerprint).not.toBe(skipped.fingerprint);
      expect(mix.sources[1].source.batch(0).anchors.batch).toBe(2);
      // data.limit caps the dictionary's words as it caps WordNet's synsets.
      const limited = parseTextConfig(
        { ...configWith([{ source: 'gcide', dir }]), data: { source: 'wordnet', limit: 2 } },
        'test config',
      );
      const few = buildTrainingMix(
        limited,
        synsets,
        'f'.repeat(64),
        createTextFeaturizer(limited.featurizer),
      );
      expect(few.summary[0]).toMatch(/^gcide: 2 headwords/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown source or a non-positive weight in the config', () => {
    expect(() => configWith([{ source: 'quora' }])).toThrow(/sources/);
    expect(() => configWith([{ source: 'stsb', weight: 0 }])).toThrow(/weight/);
  });
});
