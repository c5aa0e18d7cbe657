import { describe, expect, it } from 'vitest';
import { AdamConfigSchema, applyDense, applyRows, beginStep, createAdamState } from './adam.ts';

const config = AdamConfigSchema.parse({ learningRate: 0.01, epsilon: 1e-12 });

/** Algorithm 1 of Kingma & Ba (2015), written out with explicit bias-corrected moments. */
function referenceAdam(param: number[], grads: number[][]): number[] {
  const { learningRate, beta1, beta2, epsilon } = config;
  const m = param.map(() => 0);
  const v = param.map(() => 0);
  const p = [...param];
  grads.forEach((g, index) => {
    const t = index + 1;
    for (let i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2;
      const mHat = m[i] / (1 - beta1 ** t);
      const vHat = v[i] / (1 - beta2 ** t);
      p[i] -= (learningRate * mHat) / (Math.sqrt(vHat) + epsilon);
    }
  });
  return p;
}

describe('adam', () => {
  const grads = [
    [0.5, -1, 2],
    [0.1, 0.3, -0.2],
    [-0.7, 0.05, 1.5],
  ];

  it('matches the paper on dense parameters', () => {
    const param = Float32Array.from([1, -2, 0.5]);
    const state = createAdamState({ w: param });
    for (const g of grads) {
      beginStep(state);
      applyDense(state, 'w', param, Float32Array.from(g), config);
    }
    const expected = referenceAdam([1, -2, 0.5], grads);
    param.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
  });

  it('updates only the touched rows, each as dense Adam would', () => {
    const table = Float32Array.from([1, 2, 3, 4, 5, 6]); // 3 rows of dim 2
    const state = createAdamState({ table });
    beginStep(state);
    applyRows(
      state,
      'table',
      table,
      Int32Array.from([2, 0]),
      Float32Array.from([0.5, -1, 2, 0.1]),
      2,
      config,
    );
    expect(Array.from(table.subarray(2, 4))).toEqual([3, 4]);
    expect(Array.from(state.slots.table.m.subarray(2, 4))).toEqual([0, 0]);
    const row2 = referenceAdam([5, 6], [[0.5, -1]]);
    const row0 = referenceAdam([1, 2], [[2, 0.1]]);
    expect(table[4]).toBeCloseTo(row2[0], 5);
    expect(table[5]).toBeCloseTo(row2[1], 5);
    expect(table[0]).toBeCloseTo(row0[0], 5);
    expect(table[1]).toBeCloseTo(row0[1], 5);
  });
});
