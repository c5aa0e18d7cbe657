import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { createLoss } from '../create-loss.ts';
import { useWasmBackend } from '../testing/backend.ts';
import { flat, randomBatch, unflatten } from '../testing/data.ts';
import { numericGradient, relativeError } from '../testing/gradients.ts';
import { lpNorm, mean } from '../testing/reference/math.ts';
import { contrastiveRef } from '../testing/reference/pair-losses.ts';

useWasmBackend();

const batch = randomBatch(8, 4, 3, 61);

it('adds weight × mean ||x||_p^power of the raw embeddings to any loss, with its gradient', async () => {
  const loss = createLoss({
    name: 'contrastive',
    embedding_regularizer: { name: 'lp', p: 3, power: 2, weight: 0.1 },
  });
  const labels = tf.tensor1d(batch.labels, 'int32');
  const reference = (E: number[][]) =>
    contrastiveRef({ E, labels: batch.labels }, { pos_margin: 0, neg_margin: 1, distance: { name: 'lp' } }) +
    0.1 * mean(E.map((row) => lpNorm(row, 3) ** 2));
  const embeddings = tf.tensor2d(flat(batch.E), [8, 4]);
  const { value, grad } = tf.valueAndGrad((e: tf.Tensor2D) => loss.compute(e, labels))(embeddings);
  expect(value.dataSync()[0]).toBeCloseTo(reference(batch.E), 5);
  expect((await loss.readStats()).embedding_reg_loss).toBeCloseTo(
    0.1 * mean(batch.E.map((row) => lpNorm(row, 3) ** 2)),
    5,
  );
  const numeric = numericGradient((values) => reference(unflatten(values, 8, 4)), batch.E.flat());
  expect(relativeError(grad.dataSync(), numeric)).toBeLessThan(2e-3);
});
