import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWasmBackend } from '../testing/backend.ts';
import { createReducer, type LossTerm, type ReducerConfigInput, reduceTerms } from './index.ts';

useWasmBackend();

const LOSSES = [0, 0.5, 0, 2, 1, 3];
const LABELS = Int32Array.from([0, 1, 2, 0, 1, 2]);
const embeddings = () => tf.ones([6, 2]) as tf.Tensor2D;

/** Reduces LOSSES tagged as `kind` with the given indices; returns the value and d value / d losses. */
function reduce(config: ReducerConfigInput, kind: LossTerm['kind'], indices: number[][], divisor?: number) {
  const reducer = createReducer(config);
  const losses = tf.tensor1d(LOSSES);
  const e = embeddings();
  const term = (l: tf.Tensor1D): LossTerm => ({
    losses: l,
    kind,
    indices: indices.map((i) => Int32Array.from(i)),
    divisor,
  });
  const { value, grad } = tf.valueAndGrad(
    (l: tf.Tensor1D) => reduceTerms(reducer, { loss: term(l) }, { embeddings: e, labels: LABELS }).total,
  )(losses);
  const out = { value: value.dataSync()[0], grad: Array.from(grad.dataSync()) };
  tf.dispose([losses, e, value, grad]);
  return out;
}

const ELEMENT = [[0, 1, 2, 3, 4, 5]];
const PAIRS = [
  [0, 0, 1, 2, 2, 2],
  [3, 4, 4, 5, 0, 1],
];

describe('reducers (PML definitions)', () => {
  it('mean averages every loss', () => {
    expect(reduce({ name: 'mean' }, 'element', ELEMENT).value).toBeCloseTo(6.5 / 6);
  });

  it('sum adds every loss', () => {
    expect(reduce({ name: 'sum' }, 'triplet', [...PAIRS, PAIRS[0]]).value).toBeCloseTo(6.5);
  });

  it('avg_non_zero averages the positive losses and passes gradient only to them', () => {
    const { value, grad } = reduce({ name: 'avg_non_zero' }, 'pos_pair', PAIRS);
    expect(value).toBeCloseTo(6.5 / 4);
    expect(grad).toEqual([0, 0.25, 0, 0.25, 0.25, 0.25]);
  });

  it('threshold keeps losses strictly inside (low, high)', () => {
    expect(reduce({ name: 'threshold', low: 0.5, high: 3 }, 'element', ELEMENT).value).toBeCloseTo(
      (2 + 1) / 2,
    );
    expect(reduce({ name: 'threshold', high: 1 }, 'element', ELEMENT).value).toBeCloseTo(0.5 / 3);
    expect(reduce({ name: 'threshold', low: 10 }, 'element', ELEMENT)).toEqual({
      value: 0,
      grad: [0, 0, 0, 0, 0, 0],
    });
  });

  it('divisor divides the sum by the divisor the loss gives, 0 for a zero divisor', () => {
    expect(reduce({ name: 'divisor' }, 'triplet', [...PAIRS, PAIRS[0]], 4).value).toBeCloseTo(6.5 / 4);
    expect(reduce({ name: 'divisor' }, 'triplet', [...PAIRS, PAIRS[0]], 0).value).toBe(0);
    expect(() => reduce({ name: 'divisor' }, 'element', ELEMENT)).toThrow(/provides a divisor/);
  });

  it('class_weighted weights each loss by its (anchor) class, then averages', () => {
    const weights = [1, 0.5, 2];
    const byElement = LOSSES.map((l, i) => l * weights[LABELS[i]]);
    expect(reduce({ name: 'class_weighted', weights }, 'element', ELEMENT).value).toBeCloseTo(
      byElement.reduce((a, b) => a + b) / 6,
    );
    const byAnchor = LOSSES.map((l, i) => l * weights[LABELS[PAIRS[0][i]]]);
    expect(reduce({ name: 'class_weighted', weights }, 'neg_pair', PAIRS).value).toBeCloseTo(
      byAnchor.reduce((a, b) => a + b) / 6,
    );
    expect(() => reduce({ name: 'class_weighted', weights: [1] }, 'element', ELEMENT)).toThrow(
      /1 weights but saw label 1/,
    );
  });

  it('per_anchor averages pair losses per anchor, then applies the inner reducer', () => {
    // Anchors 0: [0, 0.5] -> 0.25; 1: [0] -> 0; 2: [2, 1, 3] -> 2; 3..5: no pairs -> 0.
    expect(reduce({ name: 'per_anchor' }, 'pos_pair', PAIRS).value).toBeCloseTo((0.25 + 0 + 2) / 6);
    expect(
      reduce({ name: 'per_anchor', reducer: { name: 'avg_non_zero' } }, 'pos_pair', PAIRS).value,
    ).toBeCloseTo((0.25 + 2) / 2);
    expect(reduce({ name: 'per_anchor' }, 'element', ELEMENT).value).toBeCloseTo(6.5 / 6);
    expect(() => reduce({ name: 'per_anchor' }, 'triplet', [...PAIRS, PAIRS[0]])).toThrow(/triplet/);
  });

  it('sums sub-losses, passes already-reduced ones through and turns empty ones into a differentiable 0', () => {
    const reducer = createReducer({ name: 'mean' });
    const e = embeddings();
    const { value, grad } = tf.valueAndGrad(
      (x: tf.Tensor2D) =>
        reduceTerms(
          reducer,
          {
            a: {
              losses: x.sum(1) as tf.Tensor1D,
              kind: 'element',
              indices: [Int32Array.from([0, 1, 2, 3, 4, 5])],
            },
            b: { losses: tf.scalar(1.5), kind: 'already_reduced', indices: [] },
            c: { losses: null, kind: 'pos_pair', indices: [new Int32Array(0), new Int32Array(0)] },
          },
          { embeddings: x, labels: LABELS },
        ).total,
    )(e);
    expect(value.dataSync()[0]).toBeCloseTo(2 + 1.5);
    expect(Array.from(grad.dataSync()).every((g) => Math.abs(g - 1 / 6) < 1e-7)).toBe(true);
    tf.dispose([e, value, grad]);
  });
});

describe('reducer configs', () => {
  it('lists the valid reducers for an unknown name', () => {
    expect(() => createReducer({ name: 'median' } as never)).toThrow(/'mean' \| 'avg_non_zero' \| 'sum'/);
  });

  it('needs a bound for threshold', () => {
    expect(() => createReducer({ name: 'threshold' })).toThrow(/low, high or both/);
  });
});
