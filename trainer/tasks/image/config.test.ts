import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { flatSize } from './cnn.ts';
import { loadImageConfig, parseImageConfig } from './config.ts';

describe('image configs', () => {
  const SWEEP = 'configs/fashion-mnist-sweep';
  it.each([
    'configs/fashion-mnist.json',
    'configs/fashion-mnist-disjoint.json',
    'configs/fashion-mnist-disjoint-images.json',
    'configs/shapes-tiny.json',
    ...readdirSync(SWEEP).map((file) => `${SWEEP}/${file}`),
  ])('%s is valid and its embedding size matches its architecture', (path) => {
    const config = loadImageConfig(path);
    if (!config.model.dense) expect(config.model.embeddingDim).toBe(flatSize(config.model));
    const { batchSize, m } = config.sampler;
    const classes = config.protocol.kind === 'catalogue' ? Infinity : config.protocol.trainClasses.length;
    expect(m * classes).toBeGreaterThanOrEqual(batchSize);
  });

  it('refuses the self-supervised term without two views', () => {
    const config = loadImageConfig('configs/fashion-mnist-disjoint-images.json');
    expect(() => parseImageConfig({ ...config, selfSupervised: { weight: 1 } }, 'ssl.json')).toThrow(
      /ssl\.json: invalid config:\n {2}selfSupervised: selfSupervised adds to a supervised loss and needs views: 2/,
    );
    expect(
      parseImageConfig({ ...config, views: 2, selfSupervised: { weight: 1 } }, 'ssl.json').selfSupervised,
    ).toEqual({
      weight: 1,
      temperature: 0.1,
    });
  });

  it('keeps the learning rate constant unless train.learningRateDecay says otherwise, and names a bad one', () => {
    const config = loadImageConfig('configs/fashion-mnist-disjoint.json');
    expect(config.train.learningRateDecay).toBe('none');
    const train = { ...config.train, learningRateDecay: 'cosine' };
    expect(parseImageConfig({ ...config, train }, 'c.json').train.learningRateDecay).toBe('cosine');
    expect(() =>
      parseImageConfig({ ...config, train: { ...train, learningRateDecay: 'step' } }, 'c.json'),
    ).toThrow(/c\.json: invalid config:\n {2}train\.learningRateDecay: /);
  });

  it('names every bad field', () => {
    expect(() =>
      parseImageConfig(
        {
          task: 'image-similarity',
          name: 'Bad Name',
          data: { source: 'idx' },
          protocol: {
            kind: 'class-disjoint',
            trainClasses: [0],
            validationClasses: [0, 1],
            testClasses: [2, 3],
          },
          model: { dense: false, embeddingDim: 10 },
          loss: { name: 'multi_similarity', alpha: 'two' },
          train: {},
        },
        'bad.json',
      ),
    ).toThrow(
      /bad\.json: invalid config:\n {2}name: .*\n {2}protocol: train, validation and test classes must not overlap\n {2}model: without a dense layer/,
    );
  });
});
