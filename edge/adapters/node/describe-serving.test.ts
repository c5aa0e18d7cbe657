import { describe, expect, it } from 'vitest';
import type { CollectionInfo, LoadedModel } from '../../ports.ts';
import { describeServing } from './describe-serving.ts';

const model = (name: string, task: string) =>
  ({ manifest: { name, version: 'v1', task } }) as unknown as LoadedModel;
const collection = (model: string, name: string, items: number): CollectionInfo => ({
  name,
  model,
  modelVersion: 'v1',
  dims: 8,
  distance: 'cosine',
  items,
});

describe('describeServing', () => {
  it('says when a shared collection name needs "model" because the default model holds none of it', () => {
    const lines = describeServing({
      metrics: 'off',
      served: () => ({
        models: [
          model('shapes', 'image-similarity'),
          model('a', 'text-similarity'),
          model('b', 'text-similarity'),
        ],
        collections: [
          collection('shapes', 'shapes', 60),
          collection('a', 'wordnet', 117_659),
          collection('b', 'wordnet', 5),
        ],
      }),
    });
    expect(lines).toEqual([
      'models (3) and collections (3):',
      '  shapes@v1  image-similarity, default  shapes (60 items)',
      '  a@v1       text-similarity            wordnet (117,659 items)',
      '  b@v1       text-similarity            wordnet (5 items)',
      '"wordnet" is in 2 models (a, b): requests naming it must add "model"',
      'health: /healthz  readiness: /readyz  metrics: off',
    ]);
  });

  it('names a model without a collection, and /metrics behind a key', () => {
    const lines = describeServing({
      metrics: 'key',
      served: () => ({ models: [model('m', 'text-similarity')], collections: [] }),
    });
    expect(lines).toEqual([
      'models (1) and collections (0):',
      '  m@v1  text-similarity, default  no collection',
      'health: /healthz  readiness: /readyz  metrics: /metrics (read key)',
    ]);
  });
});
