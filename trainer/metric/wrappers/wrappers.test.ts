import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createLoss } from '../create-loss.ts';
import { useWasmBackend } from '../testing/backend.ts';
import { flat, randomBatch } from '../testing/data.ts';
import { isNeg, isPos, type Matrix, mean, refDistance, refSets, relu } from '../testing/reference/math.ts';
import { ntxentRef } from '../testing/reference/pair-losses.ts';

useWasmBackend();

const tensor = (m: Matrix) => tf.tensor2d(flat(m), [m.length, m[0].length]);
const lp = refDistance({ name: 'lp' });

/** Contrastive with mean reduction of the batch against a memory, skipping each row's own memory slot. */
function contrastiveAgainstMemory(
  E: Matrix,
  labels: number[],
  memory: Matrix,
  memoryLabels: number[],
  ownSlot: number[],
): number {
  const s = refSets(E, labels, memory, memoryLabels);
  const pos: number[] = [];
  const neg: number[] = [];
  E.forEach((q, i) =>
    memory.forEach((r, j) => {
      if (isPos(s, i, j) && j !== ownSlot[i]) pos.push(lp.between(q, r));
      if (isNeg(s, i, j)) neg.push(relu(1 - lp.between(q, r)));
    }),
  );
  return mean(pos) + mean(neg);
}

describe('cross_batch_memory', () => {
  const config = {
    name: 'cross_batch_memory' as const,
    loss: { name: 'contrastive' as const, reducer: { name: 'mean' as const } },
    embedding_size: 3,
    memory_size: 10,
  };
  const batches = [randomBatch(6, 3, 3, 71), randomBatch(6, 3, 3, 72), randomBatch(6, 3, 3, 73)];

  it('compares each batch with every remembered embedding, ring-buffered, minus itself', async () => {
    const loss = createLoss(config);
    const memory: Matrix = [];
    const memoryLabels: number[] = [];
    for (const [step, batch] of batches.entries()) {
      const ownSlot = batch.E.map((_, i) => (step * 6 + i) % 10);
      batch.E.forEach((row, i) => {
        memory[ownSlot[i]] = row;
        memoryLabels[ownSlot[i]] = batch.labels[i];
      });
      const value = loss.compute(tensor(batch.E), tf.tensor1d(batch.labels, 'int32'));
      const expected = contrastiveAgainstMemory(batch.E, batch.labels, memory, memoryLabels, ownSlot);
      expect(value.dataSync()[0]).toBeCloseTo(expected, 5);
      expect((await loss.readStats()).memory_filled).toBe(Math.min(10, (step + 1) * 6));
    }
  });

  it('passes gradients to the batch only, never into the memory', () => {
    const loss = createLoss(config);
    loss.compute(tensor(batches[0].E), tf.tensor1d(batches[0].labels, 'int32'));
    const grad = tf.grad((e) => loss.compute(e as tf.Tensor2D, tf.tensor1d(batches[1].labels, 'int32')))(
      tensor(batches[1].E),
    );
    expect(grad.shape).toEqual([6, 3]);
    expect(Array.from(grad.dataSync()).some((g) => g !== 0)).toBe(true);
  });

  it('mines against the memory when given a miner, never pairing a row with its own slot', async () => {
    const loss = createLoss({
      ...config,
      loss: { name: 'triplet_margin', margin: 0.5 },
      miner: { name: 'batch_hard' },
    });
    loss.compute(tensor(batches[0].E), tf.tensor1d(batches[0].labels, 'int32'));
    const value = loss.compute(tensor(batches[1].E), tf.tensor1d(batches[1].labels, 'int32'));
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect((await loss.readStats()).miner_triplets).toBe(6);
  });

  it('only wraps losses that take reference embeddings', () => {
    expect(() => createLoss({ ...config, loss: { name: 'n_pairs' } })).toThrow(
      /must be one of contrastive, triplet_margin/,
    );
  });
});

describe('self_supervised', () => {
  const views = randomBatch(5, 4, 5, 81);
  const second = randomBatch(5, 4, 5, 82);
  const ids = [0, 1, 2, 3, 4];

  it('symmetric: both views form one batch where row i of each view share a label (SimCLR)', () => {
    const loss = createLoss({ name: 'self_supervised' });
    const value = loss.compute(tensor(views.E), tf.tensor1d([9, 9, 9, 9, 9], 'int32'), {
      refEmbeddings: tensor(second.E),
    });
    const expected = ntxentRef(
      { E: [...views.E, ...second.E], labels: [...ids, ...ids] },
      { temperature: 0.07, distance: { name: 'cosine' } },
    );
    expect(value.dataSync()[0]).toBeCloseTo(expected, 4);
  });

  it('asymmetric: views are anchors and the second views their references', () => {
    const loss = createLoss({
      name: 'self_supervised',
      symmetric: false,
      loss: { name: 'ntxent', temperature: 0.5 },
    });
    const value = loss.compute(tensor(views.E), tf.tensor1d(ids, 'int32'), {
      refEmbeddings: tensor(second.E),
    });
    const expected = ntxentRef(
      { E: views.E, labels: ids, ref: second.E, refLabels: ids },
      { temperature: 0.5, distance: { name: 'cosine' } },
    );
    expect(value.dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it('needs the second view', () => {
    const loss = createLoss({ name: 'self_supervised' });
    expect(() => loss.compute(tensor(views.E), tf.tensor1d(ids, 'int32'))).toThrow(/second view/);
  });
});
