import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { mulberry32 } from '../../shared/random.ts';
import { initBackend } from '../backend/index.ts';
import { POOLING_EPSILON } from './text-encoder.ts';
import { poolWithWordOrder, type WordOrderWeights, wordOrderTensors } from './word-order.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** The layer written from its formula in float64 loops: the reference tfjs must match. */
function referencePool(
  rows: Float64Array,
  dim: number,
  ids: Int32Array,
  weights: Float32Array,
  batch: number,
  tokens: number,
  order: { width: number; rank: number; mix: Float64Array; mixBias: Float64Array; out: Float64Array },
): Float64Array {
  const slots = ids.length / (batch * tokens);
  const half = (order.width - 1) / 2;
  const pooled = new Float64Array(batch * dim);
  for (let b = 0; b < batch; b++) {
    const u: number[][] = [];
    const w: number[] = [];
    for (let t = 0; t < tokens; t++) {
      const sum = new Array<number>(dim).fill(0);
      let total = 0;
      for (let s = 0; s < slots; s++) {
        const i = (b * tokens + t) * slots + s;
        total += weights[i];
        for (let d = 0; d < dim; d++) sum[d] += weights[i] * rows[ids[i] * dim + d];
      }
      u.push(sum.map((x) => x / Math.max(total, POOLING_EPSILON)));
      w.push(total);
    }
    const textTotal = w.reduce((a, x) => a + x, 0);
    for (let t = 0; t < tokens; t++) {
      const hidden = new Array<number>(order.rank).fill(0);
      for (let r = 0; r < order.rank; r++) {
        let z = order.mixBias[r];
        for (let k = 0; k < order.width; k++) {
          const source = t + k - half;
          if (source < 0 || source >= tokens) continue;
          for (let d = 0; d < dim; d++) z += u[source][d] * order.mix[(k * dim + d) * order.rank + r];
        }
        hidden[r] = Math.max(0, z);
      }
      const share = w[t] / Math.max(textTotal, POOLING_EPSILON);
      for (let d = 0; d < dim; d++) {
        let g = 0;
        for (let r = 0; r < order.rank; r++) g += hidden[r] * order.out[r * dim + d];
        pooled[b * dim + d] += share * (u[t][d] + g);
      }
    }
  }
  return pooled;
}

function randomArray(n: number, random: () => number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => (random() * 2 - 1) * scale);
}

describe('poolWithWordOrder', () => {
  const dim = 4;
  const buckets = 7;
  const batch = 2;
  const tokens = 3;
  const slots = 2;
  const width = 3;
  const rank = 3;
  const random = mulberry32(11);
  const rows = randomArray(buckets * dim, random);
  const ids = Int32Array.from({ length: batch * tokens * slots }, () => Math.floor(random() * buckets));
  // Row 1, token 2 is padding (weight 0), as a shorter text in a batch has.
  const weights = Float32Array.from({ length: batch * tokens * slots }, (_, i) =>
    i >= (tokens + 2) * slots ? 0 : 0.5 + random(),
  );
  const layer = {
    width,
    rank,
    mix: randomArray(width * dim * rank, random),
    mixBias: randomArray(rank, random, 0.2),
    out: randomArray(rank * dim, random),
  };
  const probe = randomArray(batch * dim, random);

  const tfLoss = (r: tf.Tensor, mix: tf.Tensor, mixBias: tf.Tensor, out: tf.Tensor) =>
    poolWithWordOrder(
      r as tf.Tensor2D,
      ids,
      weights,
      batch,
      tokens,
      width,
      { mix: mix as tf.Tensor2D, mixBias: mixBias as tf.Tensor1D, out: out as tf.Tensor2D },
      POOLING_EPSILON,
    )
      .mul(tf.tensor2d(Float32Array.from(probe), [batch, dim]))
      .sum() as tf.Scalar;
  const referenceLoss = (parts: typeof layer & { rows: Float64Array }) =>
    referencePool(parts.rows, dim, ids, weights, batch, tokens, parts).reduce(
      (a, x, i) => a + x * probe[i],
      0,
    );

  it('computes the formula (brute-force float64 reference)', () => {
    const order: WordOrderWeights = {
      width,
      rank,
      mix: Float32Array.from(layer.mix),
      mixBias: Float32Array.from(layer.mixBias),
      out: Float32Array.from(layer.out),
    };
    const pooled = tf.tidy(() =>
      poolWithWordOrder(
        tf.tensor2d(Float32Array.from(rows), [buckets, dim]),
        ids,
        weights,
        batch,
        tokens,
        width,
        wordOrderTensors(order, dim),
        POOLING_EPSILON,
      ).dataSync(),
    );
    const expected = referencePool(rows, dim, ids, weights, batch, tokens, layer);
    expected.forEach((x, i) => expect(pooled[i]).toBeCloseTo(x, 5));
  });

  it('has the gradients of central finite differences for rows, mix, mixBias and out', () => {
    const names = ['rows', 'mix', 'mixBias', 'out'] as const;
    const shapes = { rows: [buckets, dim], mix: [width * dim, rank], mixBias: [rank], out: [rank, dim] };
    const values = { rows, ...layer };
    const grads = tf.tidy(() =>
      tf
        .grads(tfLoss)(names.map((n) => tf.tensor(Float32Array.from(values[n]), shapes[n])))
        .map((g) => g.dataSync()),
    );
    const h = 1e-6;
    let checked = 0;
    names.forEach((name, p) => {
      for (let i = 0; i < values[name].length; i++) {
        const at = (delta: number) => {
          const moved = Float64Array.from(values[name]);
          moved[i] += delta;
          return referenceLoss({ ...layer, rows, [name]: moved });
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        expect(grads[p][i], `${name}[${i}]`).toBeCloseTo(numeric, 3);
        if (numeric !== 0) checked++;
      }
    });
    // The check must exercise every parameter group, not just zeros.
    expect(checked).toBeGreaterThan(40);
  });

  it('is the bag of n-grams while `out` is zero', () => {
    const featurizer = createTextFeaturizer({ buckets: 64, layout: 'tokens' });
    const bag = createTextFeaturizer({ buckets: 64 });
    const texts = ['a dog bites a man', 'a man bites a dog', 'x'];
    const tokenBatch = featurizer.featurizeBatch(texts);
    const bagBatch = bag.featurizeBatch(texts);
    const table = randomArray(64 * dim, random);
    const order: WordOrderWeights = {
      width,
      rank,
      mix: Float32Array.from(layer.mix),
      mixBias: Float32Array.from(layer.mixBias),
      out: new Float32Array(rank * dim),
    };
    const pooled = tf.tidy(() =>
      poolWithWordOrder(
        tf.tensor2d(Float32Array.from(table), [64, dim]),
        tokenBatch.ids,
        tokenBatch.weights,
        texts.length,
        tokenBatch.tokens!,
        width,
        wordOrderTensors(order, dim),
        POOLING_EPSILON,
      ).dataSync(),
    );
    for (let b = 0; b < texts.length; b++) {
      const sum = new Float64Array(dim);
      let total = 0;
      for (let l = 0; l < bagBatch.length; l++) {
        const i = b * bagBatch.length + l;
        total += bagBatch.weights[i];
        for (let d = 0; d < dim; d++) sum[d] += bagBatch.weights[i] * table[bagBatch.ids[i] * dim + d];
      }
      for (let d = 0; d < dim; d++) expect(pooled[b * dim + d]).toBeCloseTo(sum[d] / total, 5);
    }
  });
});
