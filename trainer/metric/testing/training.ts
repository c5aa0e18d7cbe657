import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../../shared/random.ts';
import type { ComputeOptions, MetricLoss } from '../losses/index.ts';
import { flat, randomLabels, randomMatrix } from './data.ts';
import { type Matrix, refDistance } from './reference/math.ts';

/**
 * A small synthetic retrieval task: each class has a centre in 4 signal dimensions, hidden among 12 loud
 * noise dimensions. A random linear projection mixes both, so retrieval starts poor; a loss that works
 * teaches the projection to keep the signal.
 */
export const INPUT_DIM = 16;
export const EMBEDDING_DIM = 8;
export const CLASSES = 6;
const SIGNAL = 4;

export interface Split {
  X: Matrix;
  labels: number[];
}

export function clusteredTask(seed: number, perClass = 20): { train: Split; test: Split } {
  const centres = randomMatrix(CLASSES, SIGNAL, seed, { scale: 1 });
  const split = (offset: number): Split => {
    const labels = randomLabels(CLASSES * perClass, CLASSES, seed + offset);
    const jitter = randomMatrix(labels.length, SIGNAL, seed + offset + 1, { scale: 0.25 });
    const noise = randomMatrix(labels.length, INPUT_DIM - SIGNAL, seed + offset + 2, { scale: 1.5 });
    return {
      X: labels.map((label, i) => [...centres[label].map((c, k) => c + jitter[i][k]), ...noise[i]]),
      labels,
    };
  };
  return { train: split(10), test: split(20) };
}

/** A second view of rows: the signal slightly jittered, the noise dimensions drawn afresh. */
export function secondView(X: Matrix, seed: number): Matrix {
  const random = createRandom(seed);
  return X.map((row) => row.map((v, k) => (k < SIGNAL ? v + 0.1 * random.normal() : 1.5 * random.normal())));
}

/** Leave-one-out recall@1 by cosine similarity: how often the nearest other row has the same label. */
export function recallAt1(embeddings: Matrix, labels: number[]): number {
  const cosine = refDistance({ name: 'cosine' });
  let hits = 0;
  embeddings.forEach((row, i) => {
    let best = -1;
    let bestSim = Number.NEGATIVE_INFINITY;
    embeddings.forEach((other, j) => {
      const sim = cosine.between(row, other);
      if (j !== i && sim > bestSim) {
        best = j;
        bestSim = sim;
      }
    });
    if (labels[best] === labels[i]) hits++;
  });
  return hits / embeddings.length;
}

/** The seeded random projection every training run starts from. */
function initialWeights(): Matrix {
  return randomMatrix(INPUT_DIM, EMBEDDING_DIM, 99, { scale: 1 / Math.sqrt(INPUT_DIM) });
}

/** Rows projected by the untrained starting projection: the baseline retrieval. */
export function projectUntrained(X: Matrix): Matrix {
  const W = initialWeights();
  return X.map((row) => W[0].map((_, c) => row.reduce((s, v, k) => s + v * W[k][c], 0)));
}

export interface TrainingRun {
  /** Mean loss of the first and last three steps. */
  lossBefore: number;
  lossAfter: number;
  project(X: Matrix): Matrix;
}

/**
 * Trains a linear projection (and the loss's own parameters) with Adam; `step(i)` gives each step's
 * inputs as matrices plus the labels and compute options.
 */
export function trainProjection(
  loss: MetricLoss,
  steps: number,
  step: (i: number) => {
    X: Matrix;
    labels: tf.Tensor1D;
    options?: (project: (x: tf.Tensor2D) => tf.Tensor2D) => ComputeOptions;
  },
  learningRate = 0.05,
): TrainingRun {
  const W = tf.variable(tf.tensor2d(flat(initialWeights()), [INPUT_DIM, EMBEDDING_DIM]));
  const optimizer = tf.train.adam(learningRate);
  const variables = [W, ...Object.values(loss.parameters)];
  const project = (x: tf.Tensor2D) => x.matMul(W) as tf.Tensor2D;
  const history: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { X, labels, options } = step(i);
    // minimize() runs the loss inside its own gradient scope, which frees the input tensor too.
    const value = optimizer.minimize(
      () =>
        loss.compute(project(tf.tensor2d(flat(X), [X.length, INPUT_DIM])), labels, options?.(project) ?? {}),
      true,
      variables,
    )!;
    history.push(value.dataSync()[0]);
    value.dispose();
    labels.dispose();
  }
  const mean3 = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
  const run: TrainingRun = {
    lossBefore: mean3(history.slice(0, 3)),
    lossAfter: mean3(history.slice(-3)),
    project: (X) => tf.tidy(() => project(tf.tensor2d(flat(X), [X.length, INPUT_DIM])).arraySync()),
  };
  optimizer.dispose();
  return run;
}
