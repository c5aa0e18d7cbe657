import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../../shared/random.ts';
import { createLoss } from '../create-loss.ts';
import type { ComputeOptions, MetricLoss } from '../losses/index.ts';
import { flat, randomBatch, randomMatrix, unflatten } from './data.ts';
import type { LossCase, RefInput, Variant } from './loss-cases.ts';
import type { Matrix } from './reference/math.ts';

export const BASE_VARIANTS: Variant[] = [
  { rows: 8, dim: 4, classes: 3, seed: 11, unit: false, withRef: false },
  { rows: 12, dim: 6, classes: 4, seed: 12, unit: true, withRef: false },
  { rows: 6, dim: 3, classes: 2, seed: 13, unit: false, withRef: false },
  // Class 3 has a single row: an anchor without positives.
  { rows: 7, dim: 4, classes: 4, seed: 15, unit: false, withRef: false },
];

/** The variants a case is checked on: the base ones, plus reference sets where the loss takes them. */
export function variantsFor(lossCase: LossCase): Variant[] {
  const extra = lossCase.extraVariants ?? [];
  if (lossCase.labels !== 'classes')
    return [...BASE_VARIANTS.map((v) => ({ ...v, withRef: true })), ...extra];
  if (!lossCase.supportsRef) return [...BASE_VARIANTS, ...extra];
  return [...BASE_VARIANTS, { rows: 9, dim: 5, classes: 3, seed: 14, unit: false, withRef: true }, ...extra];
}

export function describeVariant(v: Variant): string {
  return `${v.rows}x${v.dim}, ${v.classes} classes, ${v.unit ? 'unit' : 'raw'}${v.withRef ? ', ref' : ''}`;
}

export interface Prepared {
  loss: MetricLoss;
  /** The float64 input for the reference, parameters included. */
  input: RefInput;
  /** The loss on the given embeddings with this variant's labels and reference set. */
  compute(embeddings: tf.Tensor2D): tf.Scalar;
  dispose(): void;
}

export function prepare(lossCase: LossCase, variant: Variant): Prepared {
  const { rows, dim, classes, seed } = variant;
  const loss = createLoss(lossCase.config(dim, classes));
  const batch = randomBatch(rows, dim, classes, seed, variant.unit);
  const input: RefInput = { E: batch.E, labels: batch.labels, params: readParameters(loss) };
  let labels: tf.Tensor1D;
  const options: ComputeOptions = {};
  if (lossCase.labels === 'classes') {
    labels = tf.tensor1d(batch.labels, 'int32');
    if (variant.withRef) {
      const refBatch = randomBatch(rows - 2, dim, classes, seed + 100, variant.unit);
      input.ref = refBatch.E;
      input.refLabels = refBatch.labels;
      options.refEmbeddings = tf.tensor2d(flat(refBatch.E), [refBatch.E.length, dim]);
      options.refLabels = tf.tensor1d(refBatch.labels, 'int32');
    }
  } else {
    // Pairs: ref row i is row i's positive, plus two extra negatives; scores: one graded score per pair.
    const refRows = lossCase.labels === 'pairs' ? rows + 2 : rows;
    input.ref = randomMatrix(refRows, dim, seed + 200, { unit: variant.unit, scale: 1.5 });
    options.refEmbeddings = tf.tensor2d(flat(input.ref), [refRows, dim]);
    if (lossCase.labels === 'scores') {
      const random = createRandom(seed + 300);
      input.scores = Array.from({ length: rows }, () => Math.round(random.next() * 5) / 5);
      labels = tf.tensor1d(input.scores);
    } else {
      labels = tf.range(0, rows, 1, 'int32') as tf.Tensor1D;
    }
  }
  return {
    loss,
    input,
    compute: (embeddings) => loss.compute(embeddings, labels, options),
    dispose: () => {
      loss.dispose();
      labels.dispose();
      options.refEmbeddings?.dispose();
      options.refLabels?.dispose();
    },
  };
}

function readParameters(loss: MetricLoss): Record<string, Matrix> {
  const params: Record<string, Matrix> = {};
  for (const [name, variable] of Object.entries(loss.parameters)) {
    const values = variable.dataSync();
    params[name] =
      variable.rank === 1 ? [Array.from(values)] : unflatten(values, variable.shape[0], variable.shape[1]!);
  }
  return params;
}

export function embeddingsOf(input: RefInput): tf.Tensor2D {
  return tf.tensor2d(flat(input.E), [input.E.length, input.E[0].length]);
}
