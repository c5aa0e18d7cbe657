import * as tf from '@tensorflow/tfjs';
import type { TextFeatures } from '../../../shared/featurizer/text.ts';
import { padFeatures } from '../../../shared/onnx/sub-batches.ts';
import { gatherIds, tableRows } from '../../encoder/text-encoder.ts';
import { type AdamConfig, type AdamState, applyDense, applyRows, beginStep } from '../../train/adam.ts';
import { readAndDispose } from '../../train/read-back.ts';
import type { StepResult } from '../../train/step-result.ts';
import type { NextItemExamples } from './examples.ts';
import type { RecsLoss } from './loss.ts';
import { idKeepMask, itemVectors, type RecsWeights, userVectors } from './towers.ts';

/** What a step needs besides the weights: the examples, each item's features and the loss. */
export interface StepContext {
  examples: NextItemExamples;
  /** Featurized title and categories of every item, by row. */
  features: readonly TextFeatures[];
  /** log of each item's share of the training positives (for popularity correction). */
  logQ: Float32Array;
  loss: RecsLoss;
  idDropout: number;
  adam: AdamState;
  adamConfig: AdamConfig;
}

/**
 * One optimisation step on a batch of next-item examples. Every item the batch touches (in a history or
 * as a positive) is encoded once; users pool those vectors, so gradients reach the item tower through
 * both sides. Only touched rows of the content table and the id table get gradients and Adam updates.
 */
export async function recsStep(
  weights: RecsWeights,
  context: StepContext,
  batch: Int32Array,
  seed: number,
): Promise<StepResult> {
  const { examples, adam, adamConfig } = context;
  const { window } = examples.histories;

  // The batch's items as local rows 0..n-1: histories and positives index into them.
  const slotOf = new Map<number, number>();
  const items: number[] = [];
  const local = (item: number) => {
    let slot = slotOf.get(item);
    if (slot === undefined) {
      slot = items.length;
      slotOf.set(item, slot);
      items.push(item);
    }
    return slot;
  };
  const history = new Int32Array(batch.length * window);
  const historyWeights = new Float32Array(batch.length * window);
  const positives = new Int32Array(batch.length);
  const logQ = new Float32Array(batch.length);
  batch.forEach((example, row) => {
    for (let slot = 0; slot < window; slot++) {
      const weight = examples.histories.weights[example * window + slot];
      if (weight === 0) continue;
      history[row * window + slot] = local(examples.histories.rows[example * window + slot]);
      historyWeights[row * window + slot] = weight;
    }
    positives[row] = local(examples.targets[example]);
    logQ[row] = context.logQ[examples.targets[example]];
  });

  const features = padFeatures(items.map((item) => context.features[item]));
  const { uniqueIds, localIds } = gatherIds(features.ids);
  const itemRows = Int32Array.from(items);
  const keep = idKeepMask(items.length, context.idDropout, seed);
  const { content, dim } = weights;

  const outputs = tf.tidy(() => {
    const compute = (...params: tf.Tensor[]) => {
      const [contentRows, contentKernel, contentBias, idRows, userKernel, userBias] = params;
      const vectors = itemVectors(
        {
          contentRows: contentRows as tf.Tensor2D,
          featureIds: localIds,
          featureWeights: features.weights,
          idRows: idRows.mul(tf.tensor2d(keep, [items.length, 1])) as tf.Tensor2D,
          count: items.length,
        },
        contentKernel as tf.Tensor2D,
        contentBias as tf.Tensor1D,
      );
      const users = userVectors(
        vectors,
        history,
        historyWeights,
        batch.length,
        userKernel as tf.Tensor2D,
        userBias as tf.Tensor1D,
      );
      const targets = tf.gather(vectors, tf.tensor1d(positives, 'int32')) as tf.Tensor2D;
      return context.loss.compute(users, targets, logQ);
    };
    const result = tf.valueAndGrads(compute)([
      tf.tensor2d(tableRows(content, uniqueIds), [uniqueIds.length, content.embeddingDim]),
      tf.tensor2d(content.kernel, [content.embeddingDim, dim]),
      tf.tensor1d(content.bias),
      tf.tensor2d(rowsOf(weights.ids, itemRows, dim), [items.length, dim]),
      tf.tensor2d(weights.userKernel, [dim, dim]),
      tf.tensor1d(weights.userBias),
    ]);
    return [result.value, ...result.grads];
  });
  const [[value], ...grads] = await readAndDispose(outputs);

  if (!Number.isFinite(value) || !grads.every(allFinite)) return { loss: value, finite: false };
  const [tableGrad, kernelGrad, biasGrad, idGrad, userKernelGrad, userBiasGrad] = grads;
  beginStep(adam);
  applyRows(adam, 'table', content.table, uniqueIds, tableGrad, content.embeddingDim, adamConfig);
  applyDense(adam, 'kernel', content.kernel, kernelGrad, adamConfig);
  applyDense(adam, 'bias', content.bias, biasGrad, adamConfig);
  // Items whose id embedding was dropped took no part, so their rows and moments stay as they were.
  const kept = keptRows(keep);
  applyRows(adam, 'ids', weights.ids, pick(itemRows, kept), rowsOf(idGrad, kept, dim), dim, adamConfig);
  applyDense(adam, 'userKernel', weights.userKernel, userKernelGrad, adamConfig);
  applyDense(adam, 'userBias', weights.userBias, userBiasGrad, adamConfig);
  return { loss: value, finite: true, stats: await context.loss.readStats() };
}

/** Rows `rows` of a [n, dim] table, packed. */
export function rowsOf(table: Float32Array, rows: Int32Array, dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => out.set(table.subarray(row * dim, (row + 1) * dim), i * dim));
  return out;
}

function keptRows(keep: Float32Array): Int32Array {
  const rows: number[] = [];
  keep.forEach((k, i) => k !== 0 && rows.push(i));
  return Int32Array.from(rows);
}

function pick(values: Int32Array, at: Int32Array): Int32Array {
  return at.map((i) => values[i]);
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
