import * as tf from '@tensorflow/tfjs';
import type { FeatureBatch, TextFeaturizer } from '../../../../shared/featurizer/text.ts';
import {
  encodeFromRows,
  gatherIds,
  type TextEncoderWeights,
  tableRows,
  wordOrderInput,
} from '../../../encoder/text-encoder.ts';
import { wordOrderParams, wordOrderTensors } from '../../../encoder/word-order.ts';
import {
  type AdamConfig,
  type AdamState,
  applyDense,
  applyRowScales,
  applyRows,
  beginStep,
} from '../../../train/adam.ts';
import type { PairLoss } from '../../../train/pair-loss.ts';
import {
  DEFAULT_PARAMETER_UPDATE,
  type ParameterUpdate,
  withLearningRate,
} from '../../../train/parameter-update.ts';
import { readAndDispose } from '../../../train/read-back.ts';
import type { StepResult } from '../../../train/step-result.ts';
import type { TextPair } from '../data/wordnet-pairs.ts';

/**
 * One optimisation step on a batch of text pairs. Gradients flow into the gathered table rows only,
 * and Adam updates just those rows (see adam.ts), so a step costs the same for any table size.
 */
export function textPairStep(
  weights: TextEncoderWeights,
  adam: AdamState,
  adamConfig: AdamConfig,
  featurizer: TextFeaturizer,
  pairs: readonly TextPair[],
  loss: PairLoss,
): Promise<StepResult> {
  const anchors = featurizer.featurizeBatch(pairs.map((p) => p.anchor));
  const positives = featurizer.featurizeBatch(pairs.map((p) => p.positive));
  return featurePairStep(weights, adam, adamConfig, anchors, positives, loss);
}

/** The Adam slots of the table's per-row log-scales when `update.table` learns scales (see addRowScaleSlots). */
export const TABLE_SCALE_SLOT = 'tableScale';

/**
 * The same step on already featurized batches (row i of each is a pair): for views made by dropping
 * features, and for graded pairs whose loss closes over the batch's scores.
 */
export async function featurePairStep(
  weights: TextEncoderWeights,
  adam: AdamState,
  adamConfig: AdamConfig,
  anchors: FeatureBatch,
  positives: FeatureBatch,
  loss: PairLoss,
  update: ParameterUpdate = DEFAULT_PARAMETER_UPDATE,
): Promise<StepResult> {
  const all = new Int32Array(anchors.ids.length + positives.ids.length);
  all.set(anchors.ids);
  all.set(positives.ids, anchors.ids.length);
  const { uniqueIds, localIds } = gatherIds(all);
  const { embeddingDim, outputDim } = weights;

  const outputs = tf.tidy(() => {
    const anchorIds = localIds.subarray(0, anchors.ids.length);
    const positiveIds = localIds.subarray(anchors.ids.length);
    const compute = (rows: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, ...order: tf.Tensor[]) => {
      const layer = () => {
        const [mix, mixBias, out] = order;
        return { mix: mix as tf.Tensor2D, mixBias: mixBias as tf.Tensor1D, out: out as tf.Tensor2D };
      };
      const encode = (ids: Int32Array, batch: FeatureBatch) =>
        encodeFromRows(
          rows as tf.Tensor2D,
          ids,
          batch.weights,
          batch.batch,
          kernel as tf.Tensor2D,
          bias as tf.Tensor1D,
          wordOrderInput(weights, batch, layer),
        );
      return loss.compute(encode(anchorIds, anchors), encode(positiveIds, positives));
    };
    const order = weights.wordOrder ? wordOrderTensors(weights.wordOrder, embeddingDim) : undefined;
    const result = tf.valueAndGrads(compute)([
      tf.tensor2d(tableRows(weights, uniqueIds), [uniqueIds.length, embeddingDim]),
      tf.tensor2d(weights.kernel, [embeddingDim, outputDim]),
      tf.tensor1d(weights.bias),
      ...(order ? [order.mix, order.mixBias, order.out] : []),
    ]);
    return [result.value, ...result.grads];
  });
  const [[value], ...grads] = await readAndDispose(outputs);
  const [rowGrad, kernelGrad, biasGrad, ...orderGrads] = grads;
  if (!Number.isFinite(value) || !grads.every(allFinite)) return { loss: value, finite: false };
  beginStep(adam);
  if (update.table !== 'rows') {
    const scaleAdam = withLearningRate(adamConfig, update.scaleLearningRate);
    applyRowScales(adam, TABLE_SCALE_SLOT, weights.table, uniqueIds, rowGrad, embeddingDim, scaleAdam);
  }
  if (update.table !== 'scale') {
    const tableAdam = withLearningRate(adamConfig, update.tableLearningRate);
    applyRows(adam, 'table', weights.table, uniqueIds, rowGrad, embeddingDim, tableAdam);
  }
  if (update.denseLearningRate !== 0) {
    const denseAdam = withLearningRate(adamConfig, update.denseLearningRate);
    applyDense(adam, 'kernel', weights.kernel, kernelGrad, denseAdam);
    applyDense(adam, 'bias', weights.bias, biasGrad, denseAdam);
  }
  if (weights.wordOrder) {
    const orderAdam = withLearningRate(adamConfig, update.wordOrderLearningRate);
    Object.entries(wordOrderParams(weights.wordOrder)).forEach(([name, param], i) => {
      applyDense(adam, name, param, orderGrads[i], orderAdam);
    });
  }
  return { loss: value, finite: true, stats: await loss.readStats() };
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}
