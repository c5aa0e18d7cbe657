import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRetrainConfig, parseRetrainConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'retrain-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A retrain config beside this file: its paths reach the repository's configs/. */
const here = join(import.meta.dirname, 'retrain.json');

const recs = {
  task: 'recommendation',
  name: 'tiny-recs',
  data: { interactions: ['data/ratings.csv'], items: 'data/movies.csv' },
  loss: { name: 'multiple_negatives_ranking' },
  train: {},
  index: { collection: 'tiny-movies' },
};

describe('the retrain config', () => {
  it('takes a recommendation config, inline or by path, with its data relative to its own file', () => {
    writeFileSync(join(dir, 'recs.json'), JSON.stringify(recs));
    writeFileSync(join(dir, 'retrain.json'), JSON.stringify({ training: 'recs.json' }));
    const byPath = loadRetrainConfig(join(dir, 'retrain.json'));
    const inline = parseRetrainConfig({ training: recs }, join(dir, 'inline.json'));
    for (const config of [byPath, inline]) {
      expect(config.training.task).toBe('recommendation');
      expect(config.training.config.data).toMatchObject({
        items: join(dir, 'data', 'movies.csv'),
        interactions: [join(dir, 'data', 'ratings.csv')],
      });
    }
  });

  it("defaults the gate's metric to the task's headline figure", () => {
    const source = join(dir, 'r.json');
    expect(parseRetrainConfig({ training: recs }, source).gate).toEqual({
      metric: 'ndcg_at_10',
      tolerance: 0.005,
      floors: {},
    });
    const wordnet = parseRetrainConfig({ training: '../../configs/wordnet-text.json' }, here);
    expect(wordnet.gate.metric).toBe('mean_average_precision_at_r');
    expect(parseRetrainConfig({ training: recs, gate: { metric: 'hr_at_10' } }, source).gate.metric).toBe(
      'hr_at_10',
    );
  });

  it('refuses an image model and a bad gate, naming the file', () => {
    expect(() => parseRetrainConfig({ training: '../../configs/shapes-tiny.json' }, here)).toThrow(
      `${here}: the retrain job does not retrain image-similarity models such as shapes-tiny ` +
        '(its labelled image set does not grow at the edge); it retrains text-similarity and recommendation models',
    );
    expect(() => parseRetrainConfig({ training: recs, gate: { tolerance: -1 } }, 'r.json')).toThrow(
      /^r\.json: invalid retrain config \(gate\):\n {2}tolerance: /,
    );
  });
});
