import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createLoss } from '../create-loss.ts';
import { useWasmBackend } from '../testing/backend.ts';
import { LOSS_CASES, type LossCase } from '../testing/loss-cases.ts';
import { BASE_VARIANTS, prepare } from '../testing/loss-harness.ts';
import type { ComputeOptions } from './index.ts';

useWasmBackend();

const DIM = 4;

function inputsFor(lossCase: LossCase, embeddings: tf.Tensor2D, labels: number[]) {
  const rows = embeddings.shape[0];
  const options: ComputeOptions = {};
  if (lossCase.labels !== 'classes') options.refEmbeddings = embeddings.add(0.01) as tf.Tensor2D;
  const labelTensor =
    lossCase.labels === 'classes'
      ? tf.tensor1d(labels, 'int32')
      : lossCase.labels === 'scores'
        ? tf.tensor1d(labels)
        : tf.range(0, rows, 1, 'int32');
  return { options, labels: labelTensor as tf.Tensor1D };
}

async function valueAndGradient(lossCase: LossCase, embeddings: tf.Tensor2D, labels: number[]) {
  const loss = createLoss(lossCase.config(DIM, 3));
  const inputs = inputsFor(lossCase, embeddings, labels);
  const { value, grad } = tf.valueAndGrad((e: tf.Tensor2D) => loss.compute(e, inputs.labels, inputs.options))(
    embeddings,
  );
  const out = {
    value: value.dataSync()[0],
    grad: Array.from(grad.dataSync()),
    stats: await loss.readStats(),
  };
  tf.dispose([value, grad, inputs.labels, inputs.options.refEmbeddings]);
  loss.dispose();
  return out;
}

const isTupleLoss = (c: LossCase) => c.labels === 'classes' && !('num_classes' in c.config(DIM, 3));

describe('a batch without a valid tuple', () => {
  // Losses that need both a positive and a negative give 0 with zero gradients when a batch has one class.
  const needsBoth = [
    'triplet_margin',
    'quadruplet',
    'lifted_structure',
    'margin',
    'circle',
    'ntxent',
    'supcon',
  ];
  it.each(
    LOSS_CASES.filter((c) => needsBoth.includes(String(c.config(DIM, 3).name))).map(
      (c) => [c.title, c] as const,
    ),
  )('%s is 0 with zero gradients for a single-class batch', async (_, lossCase) => {
    const embeddings = tf.randomNormal([6, DIM], 0, 1, 'float32', 3) as tf.Tensor2D;
    const { value, grad, stats } = await valueAndGradient(lossCase, embeddings, [1, 1, 1, 1, 1, 1]);
    expect(value).toBe(0);
    expect(grad.every((g) => g === 0)).toBe(true);
    // The stats say why: no tuple has a non-zero loss.
    expect(
      Object.entries(stats)
        .filter(([k]) => k.endsWith('_nonzero'))
        .every(([, v]) => v === 0),
    ).toBe(true);
    embeddings.dispose();
  });

  it.each(LOSS_CASES.filter(isTupleLoss).map((c) => [c.title, c] as const))(
    '%s is 0 with zero gradients when the miner finds nothing',
    (_, lossCase) => {
      const loss = createLoss(lossCase.config(DIM, 3));
      const embeddings = tf.randomNormal([6, DIM], 0, 1, 'float32', 4) as tf.Tensor2D;
      const labels = tf.tensor1d([0, 0, 1, 1, 2, 2], 'int32');
      const empty = new Int32Array(0);
      const indicesTuple = { kind: 'pairs' as const, a1: empty, p: empty, a2: empty, n: empty };
      const { value, grad } = tf.valueAndGrad((e: tf.Tensor2D) => loss.compute(e, labels, { indicesTuple }))(
        embeddings,
      );
      expect(value.dataSync()[0]).toBe(0);
      expect(Array.from(grad.dataSync()).every((g) => g === 0)).toBe(true);
      tf.dispose([value, grad, embeddings, labels]);
      loss.dispose();
    },
  );

  it('n_pairs is 0 when no label repeats', async () => {
    const embeddings = tf.randomNormal([4, DIM], 0, 1, 'float32', 5) as tf.Tensor2D;
    const lossCase = LOSS_CASES.find((c) => c.title.startsWith('n_pairs'))!;
    const { value, grad } = await valueAndGradient(lossCase, embeddings, [0, 1, 2, 3]);
    expect(value).toBe(0);
    expect(grad.every((g) => g === 0)).toBe(true);
    embeddings.dispose();
  });

  it('cosent is 0 when every pair has the same score', async () => {
    const embeddings = tf.randomNormal([5, DIM], 0, 1, 'float32', 6) as tf.Tensor2D;
    const lossCase = LOSS_CASES.find((c) => c.title.startsWith('cosent'))!;
    const { value, grad } = await valueAndGradient(lossCase, embeddings, [0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(value).toBe(0);
    expect(grad.every((g) => g === 0)).toBe(true);
    embeddings.dispose();
  });
});

describe('extreme inputs stay finite', () => {
  const labels = [0, 0, 1, 1, 2, 2];
  const extremes: [string, () => tf.Tensor2D][] = [
    ['identical embeddings', () => tf.ones([6, DIM]).mul(0.3) as tf.Tensor2D],
    ['zero embeddings', () => tf.zeros([6, DIM]) as tf.Tensor2D],
    ['huge norms', () => tf.randomNormal([6, DIM], 0, 1e6, 'float32', 7) as tf.Tensor2D],
  ];
  for (const [what, make] of extremes) {
    it.each(LOSS_CASES.map((c) => [c.title, c] as const))(`%s with ${what}`, async (_, lossCase) => {
      const embeddings = make();
      const { value, grad } = await valueAndGradient(lossCase, embeddings, labels);
      expect(Number.isFinite(value)).toBe(true);
      expect(grad.every(Number.isFinite)).toBe(true);
      embeddings.dispose();
    });
  }
});

describe('no tensor leaks', () => {
  it.each(LOSS_CASES.map((c) => [c.title, c] as const))(
    '%s keeps tf.memory flat across compute + gradient',
    (_, lossCase) => {
      const prepared = prepare(lossCase, BASE_VARIANTS[0]);
      const embeddings = tf.randomNormal([8, 4], 0, 1, 'float32', 8) as tf.Tensor2D;
      const step = () => {
        const variables = Object.values(prepared.loss.parameters);
        const { value, grad } = tf.valueAndGrad((e: tf.Tensor2D) => prepared.compute(e))(embeddings);
        const extra =
          variables.length > 0 ? tf.variableGrads(() => prepared.compute(embeddings), variables) : undefined;
        tf.dispose([value, grad, extra?.value, ...Object.values(extra?.grads ?? {})]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      embeddings.dispose();
      prepared.dispose();
    },
  );
});

describe('loss configs and inputs', () => {
  const embeddings = () => tf.randomNormal([4, DIM], 0, 1, 'float32', 9) as tf.Tensor2D;
  const labels = () => tf.tensor1d([0, 0, 1, 1], 'int32');

  it('lists the valid losses for an unknown name', () => {
    expect(() => createLoss({ name: 'triplet' } as never)).toThrow(
      /'contrastive' \| 'triplet_margin' \| 'quadruplet'.*'self_supervised'/,
    );
  });

  it('lists the valid parameters for an unknown one, nested configs included', () => {
    expect(() => createLoss({ name: 'triplet_margin', margn: 0.1 } as never)).toThrow(
      /unknown parameter "margn"; valid parameters: name, margin, swap, smooth_loss, triplets_per_anchor, seed, distance, reducer, embedding_regularizer/,
    );
    expect(() => createLoss({ name: 'contrastive', distance: { name: 'lp', q: 2 } } as never)).toThrow(
      /distance: unknown parameter "q"/,
    );
    expect(() => createLoss({ name: 'contrastive', reducer: { name: 'avg' } } as never)).toThrow(
      /reducer.name: .*'avg_non_zero'/,
    );
  });

  it('rejects bad values and incompatible distances', () => {
    expect(() => createLoss({ name: 'ntxent', temperature: 0 })).toThrow(/temperature/);
    expect(() => createLoss({ name: 'proxy_anchor', num_classes: 3 } as never)).toThrow(/embedding_size/);
    expect(() => createLoss({ name: 'circle', distance: { name: 'lp' } })).toThrow(
      /circle needs the cosine distance/,
    );
    expect(() =>
      createLoss({ name: 'arcface', num_classes: 3, embedding_size: 4, distance: { name: 'dot' } }),
    ).toThrow(/cosine/);
  });

  it('rejects inputs a loss cannot use', () => {
    expect(() =>
      createLoss({ name: 'n_pairs' }).compute(embeddings(), labels(), { refEmbeddings: embeddings() }),
    ).toThrow(/does not support refEmbeddings/);
    expect(() =>
      createLoss({ name: 'contrastive' }).compute(embeddings(), labels(), { refEmbeddings: embeddings() }),
    ).toThrow(/need refLabels/);
    expect(() => createLoss({ name: 'multiple_negatives_ranking' }).compute(embeddings(), labels())).toThrow(
      /needs refEmbeddings/,
    );
    expect(() =>
      createLoss({ name: 'contrastive' }).compute(embeddings(), tf.tensor1d([0, 1], 'int32')),
    ).toThrow(/labels must be \[batch\]/);
    expect(() =>
      createLoss({ name: 'contrastive' }).compute(embeddings(), tf.tensor1d([0, 0.5, 1, 1])),
    ).toThrow(/non-negative integers/);
    const proxies = createLoss({ name: 'proxy_nca', num_classes: 2, embedding_size: DIM });
    expect(() => proxies.compute(embeddings(), tf.tensor1d([0, 1, 2, 2], 'int32'))).toThrow(
      /num_classes 2 but saw label 2/,
    );
  });

  it('exposes learnable parameters as named variables that can be read and set', () => {
    const loss = createLoss({ name: 'proxy_anchor', num_classes: 2, embedding_size: DIM });
    const { proxies } = loss.parameters;
    expect(proxies.shape).toEqual([2, DIM]);
    proxies.assign(tf.ones([2, DIM]));
    expect(Array.from(proxies.dataSync())).toEqual(new Array(2 * DIM).fill(1));
    expect(Object.keys(createLoss({ name: 'margin', learn_beta: true, num_classes: 3 }).parameters)).toEqual([
      'beta',
    ]);
    expect(Object.keys(createLoss({ name: 'margin' }).parameters)).toEqual([]);
  });
});

describe('arcface past θ = π - m', () => {
  it('uses cos θ - m·sin m for the target logit, as PML 2.x does', () => {
    // One unit embedding at cos θ = -0.95 (θ ≈ 161.8°, past 180° - 28.6°) to its class, at 90° to the other.
    const loss = createLoss({ name: 'arcface', num_classes: 2, embedding_size: 2 });
    loss.parameters.W.assign(
      tf.tensor2d([
        [-0.95, 0],
        [Math.sqrt(1 - 0.95 ** 2), 1],
      ]),
    );
    const value = loss.compute(tf.tensor2d([[1, 0]]), tf.tensor1d([0], 'int32')).dataSync()[0];
    const m = (28.6 * Math.PI) / 180;
    const target = 64 * (-0.95 - m * Math.sin(m));
    const other = 0;
    const crossEntropy = -target + Math.log(Math.exp(target) + Math.exp(other));
    expect(value).toBeCloseTo(crossEntropy, 3);
    // cos(θ + m) would have given a larger loss-reducing logit: the branch matters here.
    const withoutTurn = 64 * Math.cos(Math.acos(-0.95) + m);
    expect(Math.abs(withoutTurn - target)).toBeGreaterThan(1);
    loss.dispose();
  });
});
