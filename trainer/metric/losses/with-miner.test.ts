import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createLoss } from '../create-loss.ts';
import { createMiner } from '../miners/index.ts';
import { useWasmBackend } from '../testing/backend.ts';
import { clusteredBatch, flat } from '../testing/data.ts';
import { avgNonZero, marginOf, refDistance, relu } from '../testing/reference/math.ts';
import { batchHardMinerRef, multiSimilarityMinerRef } from '../testing/reference/miners.ts';
import { contrastiveRef } from '../testing/reference/pair-losses.ts';

useWasmBackend();

const batch = clusteredBatch(12, 4, 3, 51, 0.6);
const embeddings = () => tf.tensor2d(flat(batch.E), [12, 4]);
const labels = () => tf.tensor1d(batch.labels, 'int32');
const lp = refDistance({ name: 'lp' });

function tripletLossOver(triplets: string[], margin: number): number {
  return avgNonZero(
    triplets.map((t) => {
      const [a, p, n] = t.split(',').map(Number);
      return relu(
        marginOf(lp, lp.between(batch.E[a], batch.E[p]), lp.between(batch.E[a], batch.E[n])) + margin,
      );
    }),
  );
}

describe('losses on mined tuples', () => {
  it('triplet_margin uses exactly the batch_hard triplets and reports the miner statistics', async () => {
    const loss = createLoss({ name: 'triplet_margin', margin: 0.3 });
    const value = loss.compute(embeddings(), labels(), { miner: createMiner({ name: 'batch_hard' }) });
    const expected = batchHardMinerRef(batch, { name: 'lp' });
    expect(value.dataSync()[0]).toBeCloseTo(tripletLossOver(expected, 0.3), 5);
    const stats = await loss.readStats();
    expect(stats.miner_triplets).toBe(expected.length);
    expect(stats.loss_tuples).toBe(expected.length);
  });

  it('triplet_margin turns mined pairs into every triplet sharing an anchor (PML convert_to_triplets)', () => {
    const loss = createLoss({ name: 'triplet_margin', margin: 0.3 });
    const miner = createMiner({ name: 'multi_similarity', epsilon: 0.1 });
    const value = loss.compute(embeddings(), labels(), { miner });
    const pairs = multiSimilarityMinerRef(batch, { epsilon: 0.1, distance: { name: 'cosine' } });
    const triplets = pairs.pos.flatMap((pos) => {
      const [a, p] = pos.split(',');
      return pairs.neg
        .filter((neg) => neg.split(',')[0] === a)
        .map((neg) => `${a},${p},${neg.split(',')[1]}`);
    });
    expect(triplets.length).toBeGreaterThan(0);
    expect(value.dataSync()[0]).toBeCloseTo(tripletLossOver(triplets, 0.3), 5);
  });

  it('contrastive on a caller-given tuple uses only those pairs', async () => {
    const loss = createLoss({ name: 'contrastive' });
    const indicesTuple = {
      kind: 'pairs' as const,
      a1: Int32Array.from([0]),
      p: Int32Array.from([batch.labels.indexOf(batch.labels[0], 1)]),
      a2: new Int32Array(0),
      n: new Int32Array(0),
    };
    const value = loss.compute(embeddings(), labels(), { indicesTuple });
    const expected = lp.between(batch.E[0], batch.E[indicesTuple.p[0]]);
    expect(value.dataSync()[0]).toBeCloseTo(expected, 5);
    expect(await loss.readStats()).toMatchObject({ pos_loss_tuples: 1, neg_loss_tuples: 0 });
  });

  it('refuses tuples that point outside the batch', () => {
    const loss = createLoss({ name: 'contrastive' });
    const bad = {
      kind: 'triplets' as const,
      a: Int32Array.from([0]),
      p: Int32Array.from([99]),
      n: Int32Array.from([1]),
    };
    expect(() => loss.compute(embeddings(), labels(), { indicesTuple: bad })).toThrow(/outside \[0, 12\)/);
  });

  it('contrastive with the whole batch as tuples equals the default', () => {
    const value = createLoss({ name: 'contrastive' }).compute(embeddings(), labels());
    expect(value.dataSync()[0]).toBeCloseTo(
      contrastiveRef(batch, { pos_margin: 0, neg_margin: 1, distance: { name: 'lp' } }),
      5,
    );
  });
});
