import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../../../shared/featurizer/text.ts';
import { initTextEncoder } from '../../../encoder/text-encoder.ts';
import { runPath } from '../../../pipeline/run-dir.ts';
import { pinRunConfig } from '../../../pipeline/train-run.ts';
import { saveCheckpoint } from '../../../train/checkpoint.ts';
import { parseTextConfig } from '../config.ts';
import { applySemanticInit, foldRows } from './semantic-init.ts';

const root = mkdtempSync(join(tmpdir(), 'semantic-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A "trained" run: 64 buckets x 2 -> 3, saved as the pipeline saves a run (config + best checkpoint). */
function trainedRun(seed = 0, name = 'run', runDir = join(root, `${name}-${seed}`)) {
  const config = parseTextConfig(
    {
      name: 'tiny-trained',
      data: { source: 'wordnet' },
      featurizer: { buckets: 64, seed, charNgrams: null, wordBigrams: false },
      model: { embeddingDim: 2, outputDim: 3 },
      loss: { name: 'multiple_negatives_ranking' },
      train: {},
      index: { collection: 'wordnet' },
    },
    'test',
  );
  pinRunConfig(runDir, config);
  const weights = initTextEncoder(64, config.model, name === 'run' ? 4 : 5);
  weights.bias.set([0.5, -0.5, 0.25]);
  saveCheckpoint(runPath(runDir, 'bestCheckpoint'), {
    state: {},
    arrays: { table: weights.table, kernel: weights.kernel, bias: weights.bias },
  });
  return { runDir, weights };
}

describe('semantic init', () => {
  it('folds rows that land in one bucket into their df-weighted mean', () => {
    const source = initTextEncoder(4, { embeddingDim: 1, outputDim: 2 }, 1);
    source.table.set([1, 2, 3, 5]);
    const folded = foldRows(source, 2, Uint32Array.from([9, 0, 0, 0]));
    expect(folded[0]).toBeCloseTo((9.1 * 1 + 0.1 * 3) / 9.2, 6);
    expect(folded[1]).toBeCloseTo(3.5, 6);
  });

  it('puts the trained rows in the last columns and a block-diagonal dense layer', () => {
    const { runDir, weights: trained } = trainedRun();
    const featurizer = createTextFeaturizer({ buckets: 32, charNgrams: null, wordBigrams: false });
    const weights = initTextEncoder(32, { embeddingDim: 4, outputDim: 5 }, 2);
    const lexical = weights.table.slice();
    // No texts: every source row weighs the same, so bucket b is the mean of source rows b and b + 32.
    applySemanticInit(weights, featurizer, { run: runDir, lexicalScale: 0.5 }, [], root);
    expect(weights.table.subarray(0, 2)).toEqual(lexical.subarray(0, 2));
    expect(weights.table[2]).toBeCloseTo((trained.table[0] + trained.table[64]) / 2, 6);
    expect(weights.table[4 + 3]).toBeCloseTo((trained.table[3] + trained.table[67]) / 2, 6);
    const kernelRow = (k: number) => Array.from(weights.kernel.subarray(k * 5, (k + 1) * 5));
    expect(kernelRow(0)).toEqual([0.5, 0, 0, 0, 0]);
    expect(kernelRow(1)).toEqual([0, 0.5, 0, 0, 0]);
    expect(kernelRow(2).slice(2)).toEqual(Array.from(trained.kernel.subarray(0, 3)));
    expect(kernelRow(2).slice(0, 2)).toEqual([0, 0]);
    expect(Array.from(weights.bias)).toEqual([0, 0, 0.5, -0.5, 0.25]);
  });

  it('gives each of several runs its own block of columns, in order, with its kernel and bias', () => {
    const first = trainedRun();
    const second = trainedRun(0, 'second');
    const featurizer = createTextFeaturizer({ buckets: 64, charNgrams: null, wordBigrams: false });
    const weights = initTextEncoder(64, { embeddingDim: 5, outputDim: 7 }, 2);
    applySemanticInit(
      weights,
      featurizer,
      { run: [first.runDir, second.runDir], lexicalScale: 0.5 },
      [],
      root,
    );
    // Same bucket count: no folding, row b of each run lands in row b unchanged.
    expect(Array.from(weights.table.subarray(5 * 9 + 1, 5 * 9 + 5))).toEqual([
      ...first.weights.table.subarray(2 * 9, 2 * 9 + 2),
      ...second.weights.table.subarray(2 * 9, 2 * 9 + 2),
    ]);
    const kernelRow = (k: number) => Array.from(weights.kernel.subarray(k * 7, (k + 1) * 7));
    expect(kernelRow(0)).toEqual([0.5, 0, 0, 0, 0, 0, 0]);
    expect(kernelRow(2)).toEqual([0, ...first.weights.kernel.subarray(3, 6), 0, 0, 0]);
    expect(kernelRow(3)).toEqual([0, 0, 0, 0, ...second.weights.kernel.subarray(0, 3)]);
    expect(Array.from(weights.bias)).toEqual([0, 0.5, -0.5, 0.25, 0.5, -0.5, 0.25]);
    expect(() =>
      applySemanticInit(
        initTextEncoder(64, { embeddingDim: 5, outputDim: 5 }, 2),
        featurizer,
        { run: [first.runDir, second.runDir], lexicalScale: 1 },
        [],
        root,
      ),
    ).toThrow(/embeddingDim = lexical \+ 4 and outputDim = lexical \+ 6/);
  });

  it("resolves a bare name as a run id, or as a config's newest trained run, in the runs folder", () => {
    const runsDir = join(root, 'runs');
    const run = (id: string) => {
      const { runDir } = trainedRun(0, 'block', join(runsDir, id));
      writeFileSync(runPath(runDir, 'run'), '{}');
      return runDir;
    };
    const older = run('block-20261127-235959');
    const newest = run('block-20261128-101500');
    // Newer, but not finished runs of `block`: another config sharing its prefix, and one still training.
    run('block-long-20261128-120000');
    trainedRun(0, 'block', join(runsDir, 'block-20261128-130000'));
    const featurizer = createTextFeaturizer({ buckets: 64, charNgrams: null, wordBigrams: false });
    const apply = (entry: string) =>
      applySemanticInit(
        initTextEncoder(64, { embeddingDim: 3, outputDim: 4 }, 2),
        featurizer,
        { run: entry, lexicalScale: 1 },
        [],
        runsDir,
      );
    expect(apply('block')).toEqual([newest]);
    expect(apply('block-20261127-235959')).toEqual([older]);
    expect(() => apply('wordnet-block-32k')).toThrow(
      /"wordnet-block-32k" is neither a run in .*runs nor a config with a trained run there.*configs\/wordnet-block-32k\.json/s,
    );
  });

  it('names the missing run folder and how to make it', () => {
    const featurizer = createTextFeaturizer({ buckets: 64, charNgrams: null, wordBigrams: false });
    const weights = initTextEncoder(64, { embeddingDim: 4, outputDim: 5 }, 1);
    expect(() =>
      applySemanticInit(
        weights,
        featurizer,
        { run: join(root, 'never-trained'), lexicalScale: 0.2 },
        [],
        root,
      ),
    ).toThrow(/never-trained does not exist.*configs\/wordnet-text\.json/s);
  });

  it('refuses a run that hashes differently or a shape without room for it', () => {
    const featurizer = createTextFeaturizer({ buckets: 32, charNgrams: null, wordBigrams: false });
    const otherSeed = trainedRun(7).runDir;
    expect(() =>
      applySemanticInit(
        initTextEncoder(32, { embeddingDim: 4, outputDim: 5 }, 2),
        featurizer,
        {
          run: otherSeed,
          lexicalScale: 1,
        },
        [],
        root,
      ),
    ).toThrow(/hashes differently/);
    const { runDir } = trainedRun();
    expect(() =>
      applySemanticInit(
        initTextEncoder(32, { embeddingDim: 4, outputDim: 4 }, 2),
        featurizer,
        {
          run: runDir,
          lexicalScale: 1,
        },
        [],
        root,
      ),
    ).toThrow(/outputDim = lexical \+ 3/);
  });
});
