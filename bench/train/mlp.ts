import * as tf from '@tensorflow/tfjs';
import { createLoss } from '../../trainer/metric/index.ts';
import { readAndDispose } from '../../trainer/train/read-back.ts';
import type { TrainStep } from './step.ts';

export const CLASSES = 32;
/** The MLP's layer widths and Adam's learning rate, shared with the PyTorch peer (torch-peer.ts). */
export const MLP_SHAPE = { inputDim: 784, hidden: 256, outputDim: 64 } as const;
export const MLP_LEARNING_RATE = 1e-3;

/** Glorot-uniform initial weights (Keras' default), seeded. */
export function glorot(shape: number[], fanIn: number, fanOut: number, seed: number): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', seed));
}

/**
 * A step of a model over plain tf variables trained with a metric loss (PML's TripletMarginLoss defaults:
 * all triplets, margin 0.05) and Adam, on a seeded random batch with 32 classes.
 */
export function metricTrainStep(
  forward: (x: tf.Tensor) => tf.Tensor2D,
  variables: tf.Variable[],
  inputShape: number[],
  batch: number,
): TrainStep {
  const x = tf.randomUniform([batch, ...inputShape], 0, 1, 'float32', 7);
  const labels = tf.tensor1d(
    Int32Array.from({ length: batch }, (_, i) => i % CLASSES),
    'int32',
  );
  const loss = createLoss({ name: 'triplet_margin' });
  const optimizer = tf.train.adam(MLP_LEARNING_RATE);
  return {
    batch,
    async run() {
      const cost = optimizer.minimize(() => loss.compute(forward(x), labels), true, variables);
      if (cost) await readAndDispose([cost]);
    },
    dispose() {
      loss.dispose();
      optimizer.dispose();
      tf.dispose([x, labels, ...variables]);
    },
  };
}

/** The MLP 784-256-64 on flattened 28x28 inputs. */
export function mlpStep(batch: number): TrainStep {
  const { inputDim, hidden, outputDim } = MLP_SHAPE;
  const w1 = glorot([inputDim, hidden], inputDim, hidden, 1);
  const b1 = tf.variable(tf.zeros([hidden]));
  const w2 = glorot([hidden, outputDim], hidden, outputDim, 2);
  const b2 = tf.variable(tf.zeros([outputDim]));
  const forward = (x: tf.Tensor) =>
    tf.tidy(
      () =>
        tf
          .relu(tf.matMul(x as tf.Tensor2D, w1).add(b1))
          .matMul(w2)
          .add(b2) as tf.Tensor2D,
    );
  return metricTrainStep(forward, [w1, b1, w2, b2], [inputDim], batch);
}
