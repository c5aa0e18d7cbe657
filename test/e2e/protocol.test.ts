import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendInfo, initBackend } from '../../trainer/backend/index.ts';
import { type ImageConfig, loadImageConfig, parseImageConfig } from '../../trainer/tasks/image/config.ts';
import { encodeIdx } from '../../trainer/tasks/image/idx.ts';
import type { ImageSet } from '../../trainer/tasks/image/image-set.ts';
import { PROTOCOL_FILES, runFoldProtocol } from '../../trainer/tasks/image/protocol-folds.ts';
import type { FoldProtocolReport } from '../../trainer/tasks/image/protocol-report.ts';
import { SHAPE_CLASSES, syntheticShapes } from '../../trainer/tasks/image/synthetic-shapes.ts';
import { runCliInProcess } from '../cli/in-process.ts';

/**
 * `dml-edge protocol` on the tiny synthetic shapes, 2 folds x 1 seed. Eight shape classes (the shipped
 * fixture has six, too few for two folds of at least two classes each): shapes 0-3 train, 4-7 test.
 */
let root: string;
let config: ImageConfig;
let report: FoldProtocolReport;
let backend: BackendInfo;
const quiet = { update: () => undefined, log: () => undefined, done: () => undefined };

function writeIdxSplit(dir: string, split: 'train' | 't10k', set: ImageSet): void {
  writeFileSync(
    join(dir, `${split}-images-idx3-ubyte`),
    encodeIdx({ dims: [set.count, set.height, set.width], data: set.pixels }),
  );
  writeFileSync(
    join(dir, `${split}-labels-idx1-ubyte`),
    encodeIdx({ dims: [set.count], data: Uint8Array.from(set.labels) }),
  );
}

beforeAll(async () => {
  backend = await initBackend('wasm');
  root = mkdtempSync(join(tmpdir(), 'dml-protocol-'));
  const data = join(root, 'shapes8');
  mkdirSync(data);
  writeIdxSplit(data, 'train', syntheticShapes({ perClass: 16, seed: 1, classes: 8 }));
  writeIdxSplit(data, 't10k', syntheticShapes({ perClass: 8, seed: 2, classes: 8 }));
  const tiny = loadImageConfig('configs/shapes-tiny.json');
  config = parseImageConfig(
    {
      ...tiny,
      name: 'shapes8',
      data: { source: 'idx', dir: data, classNames: SHAPE_CLASSES },
      // Two classes per batch: each fold trains on two.
      sampler: { m: 4, batchSize: 8 },
    },
    'shapes8',
  );
  report = await runFoldProtocol({
    config,
    protocol: { folds: 2, seeds: [3] },
    dir: join(root, 'runs', 'protocol'),
    backend,
    progress: quiet,
  });
}, 300_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('class-disjoint protocol with folds and seeds', () => {
  it('trains one model per fold on the other folds, selects on the fold and tests on the unseen half', () => {
    expect(report.trainClasses).toEqual([0, 1, 2, 3]);
    expect(report.testClasses).toEqual([4, 5, 6, 7]);
    expect(report.testImages).toBe(32);
    expect(report.runs.map((r) => [r.seed, r.fold, r.trainClasses, r.validationClasses])).toEqual([
      [3, 0, [2, 3], [0, 1]],
      [3, 1, [0, 1], [2, 3]],
    ]);
    for (const run of report.runs) {
      expect(run.training.trainImages).toBe(32);
      expect(run.training.steps).toBeGreaterThan(0);
      const config = JSON.parse(readFileSync(join(root, 'runs', 'protocol', run.dir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({ seed: 3, protocol: { testClasses: [4, 5, 6, 7] } });
      expect(config.index).toBeUndefined();
    }
  });

  it('summarises every headline metric with a 95% interval over runs, baselines per seed', () => {
    const { trained, rawPixels, untrained, marginOverBaselines } = report.summary;
    for (const name of ['precision_at_1', 'r_precision', 'mean_average_precision_at_r', 'nmi', 'ami']) {
      expect(trained[name].n).toBe(2);
      expect(Number.isFinite(trained[name].halfWidth)).toBe(true);
      expect(trained[name].mean).toBeCloseTo((report.runs[0].test[name] + report.runs[1].test[name]) / 2, 12);
      expect(rawPixels[name].n).toBe(1);
      expect(untrained[name].n).toBe(1);
      expect(marginOverBaselines[name].mean).toBeCloseTo(
        trained[name].mean - Math.max(rawPixels[name].mean, untrained[name].mean),
        12,
      );
    }
  });

  it('writes the JSON and a markdown table', () => {
    const dir = join(root, 'runs', 'protocol');
    const saved = JSON.parse(readFileSync(join(dir, PROTOCOL_FILES.json), 'utf8'));
    expect(saved.runs).toHaveLength(2);
    const markdown = readFileSync(join(dir, PROTOCOL_FILES.markdown), 'utf8');
    expect(markdown).toMatch(/\| trained CNN \| 2 \| [\d.]+ ± [\d.]+ \|/);
    expect(markdown).toMatch(/\| raw pixels \(L2-normalised\) \| 1 \| [\d.]+ \|/);
    expect(markdown).toContain('| 3 | 2 | square, ring | horizontal bar, vertical bar |');
  });

  it('resumes: what was measured is reused; another setting is refused', async () => {
    const resume = (minutesPerRun?: number) =>
      runFoldProtocol({
        config,
        protocol: { folds: 2, seeds: [3], minutesPerRun },
        dir: join(root, 'runs', 'protocol'),
        backend,
        progress: quiet,
      });
    expect((await resume()).runs).toEqual(report.runs);
    await expect(resume(1)).rejects.toThrow(/measured with another config, dataset, --minutes/);
  });

  it('selects on held-out images of every training class when asked, one run per fold and seed', async () => {
    const dir = join(root, 'runs', 'images');
    const images = await runFoldProtocol({
      config,
      protocol: { folds: 2, seeds: [3, 4], selectOn: 'images' },
      dir,
      backend,
      progress: quiet,
    });
    expect(images.runs.map((r) => [r.seed, r.fold])).toEqual([
      [3, 0],
      [3, 1],
      [4, 0],
      [4, 1],
    ]);
    for (const run of images.runs) {
      // 16 images of each of the 4 training classes, half of them held out by each fold.
      expect([run.training.trainImages, run.training.validationImages]).toEqual([32, 32]);
      const saved = JSON.parse(readFileSync(join(dir, run.dir, 'config.json'), 'utf8'));
      expect(saved.protocol).toEqual({
        kind: 'class-disjoint-images',
        trainClasses: [0, 1, 2, 3],
        testClasses: [4, 5, 6, 7],
        folds: 2,
        fold: run.fold,
      });
    }
    // The gain is paired by seed: n is the number of seeds, each seed's folds averaged.
    const gain = images.summary.marginOverBaselines.mean_average_precision_at_r;
    expect(gain.n).toBe(2);
    const perSeed = images.baselines.map((b) => {
      const runs = images.runs.filter((r) => r.seed === b.seed);
      const trained = runs.reduce((sum, r) => sum + r.test.mean_average_precision_at_r, 0) / runs.length;
      return (
        trained - Math.max(b.rawPixels.mean_average_precision_at_r, b.untrained.mean_average_precision_at_r)
      );
    });
    expect(gain.mean).toBeCloseTo((perSeed[0] + perSeed[1]) / 2, 12);
    const markdown = readFileSync(join(dir, PROTOCOL_FILES.markdown), 'utf8');
    expect(markdown).toContain('| gain over the better baseline (paired by seed) | 2 |');
    expect(markdown).toContain(
      '| 4 | 2 | square, ring, horizontal bar, vertical bar | images of them (slice 2 of 2) |',
    );
  });

  it('refuses folds too small for the sampler before training anything', async () => {
    const dir = join(root, 'runs', 'refused');
    await expect(
      runFoldProtocol({
        config: { ...config, sampler: { m: 4, batchSize: 12 } },
        protocol: { folds: 2, seeds: [1] },
        dir,
        backend,
        progress: quiet,
      }),
    ).rejects.toThrow(/fold 1 trains on 2 classes but every batch needs 3/);
    expect(existsSync(dir)).toBe(false);
  });

  it('validates the command line', async () => {
    const seeds = await runCliInProcess(['protocol', '--seeds', '1,x']);
    expect(seeds.code).toBe(2);
    expect(seeds.stderr).toMatch(/--seeds <list>.*a comma-separated list of seeds/);
    const folds = await runCliInProcess(['protocol', '--folds', '1']);
    expect(folds.code).toBe(2);
    expect(folds.stderr).toMatch(/--folds <k>.*at least 2 folds/);
  });
});
