import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWasmBackend } from '../testing/backend.ts';
import { flat, randomMatrix, unflatten } from '../testing/data.ts';
import { numericGradient, relativeError } from '../testing/gradients.ts';
import { type DistanceSpec, refDistance } from '../testing/reference/math.ts';
import { createDistance, type DistanceConfigInput } from './index.ts';

useWasmBackend();

const CONFIGS: DistanceConfigInput[] = [
  { name: 'lp' },
  { name: 'lp', power: 2 },
  { name: 'lp', p: 1 },
  { name: 'lp', p: 3, power: 0.5 },
  { name: 'lp', normalize_embeddings: false },
  { name: 'lp', p: 1, normalize_embeddings: false },
  { name: 'cosine' },
  { name: 'cosine', power: 2 },
  { name: 'dot' },
  { name: 'dot', normalize_embeddings: false },
];

const query = randomMatrix(5, 4, 41, { scale: 2 });
const ref = randomMatrix(6, 4, 42, { scale: 2 });
const tensor = (m: number[][]) => tf.tensor2d(flat(m), [m.length, m[0].length]);

describe.each(CONFIGS.map((c) => [JSON.stringify(c), c] as const))('%s', (_, config) => {
  const spec = config as DistanceSpec;
  const expected = refDistance(spec);

  it('computes the matrix and the row-wise distances of the float64 definition', () => {
    const distance = createDistance(config);
    const mat = distance.matrix(tensor(query), tensor(ref)).arraySync();
    const self = distance.matrix(tensor(query)).arraySync();
    const rowwise = distance.pairwise(tensor(query), tensor(ref.slice(0, 5))).arraySync();
    query.forEach((q, i) => {
      ref.forEach((r, j) => expect(mat[i][j]).toBeCloseTo(expected.between(q, r), 4));
      query.forEach((q2, j) => expect(self[i][j]).toBeCloseTo(expected.between(q, q2), 3));
      expect(rowwise[i]).toBeCloseTo(expected.between(q, ref[i]), 4);
    });
  });

  it('knows which way is closer', () => {
    const distance = createDistance(config);
    expect(distance.isInverted).toBe(config.name !== 'lp');
    const near = tf.scalar(expected.inverted ? 0.9 : 0.1);
    const far = tf.scalar(expected.inverted ? 0.1 : 0.9);
    expect(distance.margin(far, near).dataSync()[0]).toBeCloseTo(0.8);
    expect(distance.closest(near, far).dataSync()[0]).toBe(near.dataSync()[0]);
  });

  it('has the finite-difference gradient', () => {
    const distance = createDistance(config);
    const weights = randomMatrix(5, 6, 43);
    const weighted = (q: number[][]) =>
      q.reduce(
        (s, row, i) => s + ref.reduce((t, r, j) => t + weights[i][j] * expected.between(row, r), 0),
        0,
      );
    const grad = tf.grad((q) =>
      distance
        .matrix(q as tf.Tensor2D, tensor(ref))
        .mul(tensor(weights))
        .sum(),
    )(tensor(query));
    const numeric = numericGradient((values) => weighted(unflatten(values, 5, 4)), query.flat());
    expect(relativeError(grad.dataSync(), numeric)).toBeLessThan(1e-3);
  });
});

describe('identical and zero rows', () => {
  it.each(CONFIGS.map((c) => [JSON.stringify(c), c] as const))('%s keeps gradients finite', (_, config) => {
    const distance = createDistance(config);
    const same = tf.tensor2d([1, 2, 3, 1, 2, 3, 0, 0, 0], [3, 3]);
    const grad = tf.grad((x) => distance.matrix(x as tf.Tensor2D).sum())(same);
    expect(Array.from(grad.dataSync()).every(Number.isFinite)).toBe(true);
  });
});

describe('distance configs', () => {
  it('lists the valid distances for an unknown name', () => {
    expect(() => createDistance({ name: 'manhattan' } as never)).toThrow(/'lp' \| 'cosine' \| 'dot'/);
  });

  it('lists the valid parameters for an unknown one', () => {
    expect(() => createDistance({ name: 'cosine', normalize_embeddings: false } as never)).toThrow(
      /valid parameters: name, power/,
    );
  });

  it('rejects p below 1', () => {
    expect(() => createDistance({ name: 'lp', p: 0.5 })).toThrow(/p/);
  });
});
