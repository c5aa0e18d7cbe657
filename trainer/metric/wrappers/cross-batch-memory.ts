import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { strictConfig } from '../config.ts';
import { readLabels } from '../labels.ts';
import { createPlainLoss, type MetricLoss } from '../losses/index.ts';
import { refuseDeviceBackend } from '../miners/base.ts';
import { createMiner, MinerConfigSchema } from '../miners/index.ts';
import { allPairs, type IndicesTuple, labelSets } from '../tuples.ts';
import { InnerLossConfigSchema } from './inner-loss.ts';

/**
 * Cross-batch memory (Wang et al. 2020, XBM), as PML `CrossBatchMemory(loss, embedding_size,
 * memory_size=1024, miner=None)`: a ring buffer of the last memory_size embeddings (detached) and labels.
 * Each compute first enqueues the batch, then applies the inner loss to the batch against the whole
 * memory, with every pair mined (or the miner's tuples) minus each embedding's comparison with its own
 * memory slot. Every call enqueues, so call compute once per training step.
 */
export const CrossBatchMemoryConfigSchema = strictConfig({
  name: z.literal('cross_batch_memory'),
  loss: InnerLossConfigSchema,
  embedding_size: z.number().int().min(1),
  memory_size: z.number().int().min(1).default(1024),
  miner: MinerConfigSchema.optional(),
});
export type CrossBatchMemoryConfig = z.infer<typeof CrossBatchMemoryConfigSchema>;

export function createCrossBatchMemory(config: CrossBatchMemoryConfig): MetricLoss {
  const inner = createPlainLoss(config.loss);
  const miner = config.miner && createMiner(config.miner);
  const { memory_size: size, embedding_size: dim } = config;
  const memory = new Float32Array(size * dim);
  const memoryLabels = new Int32Array(size);
  let next = 0;
  let filled = 0;
  let hostStats: Record<string, number> = {};

  return {
    name: 'cross_batch_memory',
    parameters: inner.parameters,
    readStats: async () => ({ ...(await inner.readStats()), ...hostStats }),
    dispose: () => inner.dispose(),
    compute(embeddings, labels, options = {}) {
      if (options.refEmbeddings || options.indicesTuple || options.miner) {
        throw new Error(
          'cross_batch_memory mines against its memory: configure its miner instead of passing tuples or refEmbeddings',
        );
      }
      const [batch, width] = embeddings.shape;
      if (width !== dim) throw new Error(`cross_batch_memory expects embedding_size ${dim}, got ${width}`);
      if (batch > size)
        throw new Error(`cross_batch_memory: batch ${batch} is larger than memory_size ${size}`);
      refuseDeviceBackend('cross_batch_memory');
      const batchLabels = readLabels(labels);
      const values = embeddings.dataSync();
      const slots = new Int32Array(batch);
      for (let i = 0; i < batch; i++) {
        slots[i] = (next + i) % size;
        memory.set(values.subarray(i * dim, (i + 1) * dim), slots[i] * dim);
        memoryLabels[slots[i]] = batchLabels[i];
      }
      next = (next + batch) % size;
      filled = Math.min(size, filled + batch);

      const refLabels = memoryLabels.slice(0, filled);
      return tf.tidy(() => {
        const ref = tf.tensor2d(memory.subarray(0, filled * dim), [filled, dim]);
        const mined = miner
          ? miner.mine(embeddings, batchLabels, ref, refLabels)
          : allPairs(labelSets(batchLabels, refLabels));
        const loss = inner.compute(embeddings, labels, {
          refEmbeddings: ref,
          refLabels: tf.tensor1d(refLabels, 'int32'),
          indicesTuple: withoutSelfComparisons(mined, slots),
        });
        hostStats = { memory_filled: filled };
        if (miner) for (const [key, value] of Object.entries(miner.stats)) hostStats[`miner_${key}`] = value;
        return loss;
      });
    },
  };
}

/** Drops positives that are the anchor itself, found in the memory slot it was just written to. */
function withoutSelfComparisons(tuple: IndicesTuple, slots: Int32Array): IndicesTuple {
  const anchors = tuple.kind === 'pairs' ? tuple.a1 : tuple.a;
  const keep: number[] = [];
  anchors.forEach((anchor, i) => {
    if (tuple.p[i] !== slots[anchor]) keep.push(i);
  });
  const pick = (values: Int32Array) => Int32Array.from(keep, (i) => values[i]);
  return tuple.kind === 'pairs'
    ? { ...tuple, a1: pick(tuple.a1), p: pick(tuple.p) }
    : { kind: 'triplets', a: pick(tuple.a), p: pick(tuple.p), n: pick(tuple.n) };
}
