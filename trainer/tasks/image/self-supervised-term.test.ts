import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../../../shared/random.ts';
import { initBackend } from '../../backend/index.ts';
import { createSelfSupervisedTerm } from './self-supervised-term.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/**
 * SimCLR's NT-Xent from its formula: rows i and i + n are the two views of item i; each of the 2n rows is
 * an anchor whose positive is its other view and whose denominator sums every other row; cosine
 * similarity over the temperature; the mean over anchors.
 */
function ntXentReference(rows: number[][], temperature: number): number {
  const unit = rows.map((r) => {
    const norm = Math.hypot(...r);
    return r.map((v) => v / norm);
  });
  const cos = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0);
  const n = rows.length / 2;
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const partner = i < n ? i + n : i - n;
    let denominator = 0;
    for (let k = 0; k < rows.length; k++) {
      if (k !== i) denominator += Math.exp(cos(unit[i], unit[k]) / temperature);
    }
    total -= Math.log(Math.exp(cos(unit[i], unit[partner]) / temperature) / denominator);
  }
  return total / rows.length;
}

describe('self-supervised term', () => {
  it('is weight x NT-Xent over the two views (brute-force reference)', () => {
    const random = mulberry32(4);
    const rows = Array.from({ length: 10 }, () => Array.from({ length: 6 }, () => gaussian(random)));
    const term = createSelfSupervisedTerm({ weight: 0.7, temperature: 0.2 });
    const value = tf.tidy(() => term.compute(tf.tensor2d(rows)).dataSync()[0]);
    expect(value).toBeCloseTo(0.7 * ntXentReference(rows, 0.2), 4);
    term.dispose();
  });
});
