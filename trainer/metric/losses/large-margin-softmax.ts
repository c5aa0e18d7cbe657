import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { crossEntropy, gatherEntries } from '../tensor-ops.ts';
import { tupleWeights } from '../tuples.ts';
import { buildLoss, type MetricLoss, range, tupleTerm } from './base.ts';
import { checkClassLabels, classParameterFields, seededNormalVariable } from './class-parameters.ts';
import { type CommonConfig, resolveCommon } from './schema.ts';

/** Config fields shared by arcface and cosface (PML LargeMarginSoftmaxLoss subclasses). */
export const largeMarginFields = { ...classParameterFields, scale: z.number().positive().default(64) };

export interface LargeMarginConfig extends CommonConfig {
  num_classes: number;
  embedding_size: number;
  seed: number;
  scale: number;
}

/**
 * PML's LargeMarginSoftmaxLoss skeleton: cosines to the class weights `W` [embedding_size, num_classes]
 * (standard normal init), the target class's cosine replaced by `withMargin(cos)`, times `scale`, cross
 * entropy. Cosine similarity only; reducer mean; a miner's tuples weight each embedding's loss.
 */
export function createLargeMarginSoftmaxLoss(
  name: string,
  config: LargeMarginConfig,
  withMargin: (targetCosine: tf.Tensor1D) => tf.Tensor1D,
): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'cosine' }, reducer: { name: 'mean' } });
  const { distance } = common;
  if (distance.name !== 'cosine') throw new Error(`${name} needs the cosine distance`);
  const W = seededNormalVariable(config.embedding_size, config.num_classes, 1, config.seed);
  return buildLoss({
    name,
    ...common,
    parameters: { W },
    supportsRef: false,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, sets, tuple }) => {
      checkClassLabels(name, sets.labels, config.num_classes);
      const rows = embeddings.shape[0];
      return {
        loss: tupleTerm('element', [range(rows)], () => {
          const cosine = distance.matrix(embeddings, W.transpose() as tf.Tensor2D);
          const target = gatherEntries(cosine, range(rows), sets.labels);
          const oneHot = tf.oneHot(tf.tensor1d(sets.labels, 'int32'), config.num_classes).cast('float32');
          const logits = cosine
            .add(oneHot.mul(withMargin(target).sub(target).expandDims(1)))
            .mul(config.scale);
          return crossEntropy(logits as tf.Tensor2D, sets.labels).mul(
            tf.tensor1d(tupleWeights(tuple, rows)),
          ) as tf.Tensor1D;
        }),
      };
    },
  });
}
