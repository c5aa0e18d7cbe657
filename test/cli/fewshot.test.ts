import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTextEncoder } from '../../trainer/encoder/text-encoder.ts';
import { exportTextEncoderOnnx } from '../../trainer/export/onnx-text-encoder.ts';
import type { FewShotResult } from '../../trainer/fewshot/fewshot-table.ts';
import { publishVersion } from '../../trainer/publish/publish.ts';
import { tinyManifestDraft } from '../fixtures/tiny-version.ts';
import { runCliInProcess } from './in-process.ts';

/** A tiny untrained text model published with a WordNet config of 3,000 synsets (150 held out for test). */
const CONFIG = {
  name: 'tiny-wordnet',
  seed: 1,
  data: { source: 'wordnet', validation: 0.02, test: 0.05, limit: 3000 },
  loss: { name: 'multiple_negatives_ranking' },
  train: {},
  index: { collection: 'wordnet' },
};

describe('dml-edge fewshot', () => {
  let work: string;
  let artifacts: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'dml-fewshot-'));
    artifacts = join(work, 'artifacts');
    const weights = initTextEncoder(64, { embeddingDim: 4, outputDim: 4 }, 1);
    const draft = tinyManifestDraft('tiny-wordnet', 'v1');
    const file = (name: string, data: Uint8Array) => {
      const path = join(work, name);
      writeFileSync(path, data);
      return path;
    };
    await publishVersion({
      artifactsDir: artifacts,
      manifest: { ...draft, training: { ...draft.training, config: CONFIG } },
      files: {
        model: file('fp32.onnx', exportTextEncoderOnnx(weights, { precision: 'fp32' })),
        model_int8: file('int8.onnx', exportTextEncoderOnnx(weights, { precision: 'int8' })),
      },
      makeCurrent: true,
    });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('runs WordNet lexicographer-file episodes with the baselines on the same episodes', async () => {
    const out = join(work, 'fewshot.json');
    const args = ['fewshot', '--model', 'tiny-wordnet', '--artifacts', artifacts, '--out', out];
    const plan = ['--ways', '3', '--shots', '1,2', '--queries', '2', '--episodes', '8'];
    const run = await runCliInProcess([...args, ...plan]);
    expect(run.stderr).toContain('lexicographer file');
    expect(run.code).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as FewShotResult;
    expect(result).toMatchObject({
      model: 'tiny-wordnet@v1',
      ways: 3,
      shots: [1, 2],
      queries: 2,
      episodes: 8,
    });
    expect(result.rows.map((r) => `${r.representation} ${r.method}`)).toEqual([
      'tiny-wordnet (model.int8.onnx) prototype',
      'tiny-wordnet (model.int8.onnx) logistic',
      'TF-IDF char 3-5-grams prototype',
    ]);
    for (const row of result.rows) {
      for (const shots of ['1', '2']) {
        const { n, mean, low, high } = row.accuracy[shots];
        expect(n).toBe(8);
        expect(mean).toBeGreaterThanOrEqual(0);
        expect(mean).toBeLessThanOrEqual(1);
        expect(low).toBeLessThanOrEqual(mean);
        expect(high).toBeGreaterThanOrEqual(mean);
      }
    }
    expect(run.stdout).toContain('| 3-way accuracy (%) | 1-shot | 2-shot |');
    // The same seed draws the same episodes: the same figures.
    const again = await runCliInProcess([...args, ...plan]);
    expect((JSON.parse(readFileSync(out, 'utf8')) as FewShotResult).rows).toEqual(result.rows);
    expect(again.code).toBe(0);
  });

  it('answers bad flags with status 2 and missing models or runs with 1', async () => {
    for (const bad of [
      ['--ways', '1'],
      ['--shots', '0,5'],
      ['--shots', 'five'],
      ['--episodes', '1'],
      ['--dataset', 'imagenet'],
    ]) {
      const run = await runCliInProcess(['fewshot', '--model', 'x', ...bad]);
      expect(run.code, bad.join(' ')).toBe(2);
    }
    const missing = await runCliInProcess(['fewshot', '--model', 'nope', '--artifacts', artifacts]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no published model nope');
    const noModel = await runCliInProcess(['fewshot', '--artifacts', artifacts]);
    expect(noModel.stderr).toContain('--model <name>');
    const noRun = await runCliInProcess(['fewshot', '--dataset', 'image-run', '--runs', work]);
    expect(noRun.stderr).toContain('--run <id>');
  });
});
