import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { gatherEntries } from '../tensor-ops.ts';
import type { LabelSets, TripletTuple } from '../tuples.ts';
import { buildLoss, type MetricLoss, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';
import { createTripletSource, TripletsPerAnchorSchema } from './triplets-per-anchor.ts';

/**
 * Quadruplet loss (Chen et al. 2017, "Beyond triplet loss", eq. 5), not in PML:
 * [d(a,p) - d(a,n) + margin_1]+ + [d(a,p) - d(n,l) + margin_2]+ where l's class differs from a's and n's.
 * The paper's d is the squared Euclidean distance (default here, on normalised embeddings) and it needs
 * margin_1 > margin_2. Every quadruplet is O(batch⁴), so, like the paper's online hard mining, each
 * triplet takes as l the sample closest to n among the allowed ones; triplets whose batch has no such l
 * (fewer than three classes) only get the first term. Each term is reduced by avg_non_zero.
 */
export const QuadrupletLossConfigSchema = lossSchema(z.literal('quadruplet'), {
  margin_1: z.number().default(1),
  margin_2: z.number().default(0.5),
  triplets_per_anchor: TripletsPerAnchorSchema,
  seed: z.number().int().min(0).default(0),
});
export type QuadrupletLossConfig = z.infer<typeof QuadrupletLossConfigSchema>;

export function createQuadrupletLoss(config: QuadrupletLossConfig): MetricLoss {
  const common = resolveCommon(config, {
    distance: { name: 'lp', power: 2 },
    reducer: { name: 'avg_non_zero' },
  });
  const { distance } = common;
  const triplets = createTripletSource(config.triplets_per_anchor, config.seed);
  return buildLoss({
    name: 'quadruplet',
    ...common,
    supportsRef: false,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, sets, tuple }) => {
      const { a, p, n } = triplets(sets, tuple);
      const mat = distance.matrix(embeddings);
      const second = fourthSamples(mat, sets, { kind: 'triplets', a, p, n }, distance.isInverted);
      const ap = (rows: Int32Array, cols: Int32Array) => gatherEntries(mat, rows, cols);
      return {
        triplet_loss: tupleTerm(
          'triplet',
          [a, p, n],
          () => tf.relu(distance.margin(ap(a, p), ap(a, n)).add(config.margin_1)) as tf.Tensor1D,
        ),
        quadruplet_loss: tupleTerm(
          'triplet',
          [second.a, second.p, second.n],
          () =>
            tf.relu(distance.margin(ap(second.a, second.p), second.nl()).add(config.margin_2)) as tf.Tensor1D,
        ),
      };
    },
  });
}

/**
 * For each triplet, d(n, l) for the sample l closest to n whose class is neither a's nor n's, and the
 * triplets that have such an l. Which l is closest depends on the distances, so it is chosen on the
 * device (a masked min over each row, one per class of a): reading the matrix back mid-step is
 * impossible on WebGPU. The gradient reaches d(n, l) through the min, as a gather at l would.
 */
function fourthSamples(mat: tf.Tensor2D, sets: LabelSets, triplets: TripletTuple, isInverted: boolean) {
  const { labels } = sets;
  const rows = labels.length;
  const classes = [...new Set(labels)];
  const classIndex = new Map(classes.map((label, i) => [label, i]));
  // allowed[(row * classes + c) * rows + l]: label(l) is neither label(row) nor classes[c].
  const allowed = new Float32Array(rows * classes.length * rows);
  const hasFourth = new Uint8Array(rows * classes.length);
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c < classes.length; c++) {
      for (let l = 0; l < rows; l++) {
        if (labels[l] === labels[row] || labels[l] === classes[c]) continue;
        allowed[(row * classes.length + c) * rows + l] = 1;
        hasFourth[row * classes.length + c] = 1;
      }
    }
  }
  const keep: number[] = [];
  const cells: number[] = [];
  for (let t = 0; t < triplets.a.length; t++) {
    const cell = triplets.n[t] * classes.length + classIndex.get(labels[triplets.a[t]])!;
    if (!hasFourth[cell]) continue;
    keep.push(t);
    cells.push(cell);
  }
  const pick = (values: Int32Array) => Int32Array.from(keep, (t) => values[t]);
  return {
    a: pick(triplets.a),
    p: pick(triplets.p),
    n: pick(triplets.n),
    /** d(n, l) of each kept triplet. */
    nl: () => {
      // Excluded entries move out of reach: +BIG for distances (min), -BIG for similarities (max).
      const excluded = tf
        .tensor3d(allowed, [rows, classes.length, rows])
        .sub(1)
        .mul(isInverted ? BIG : -BIG);
      const perClass = mat.expandDims(1).add(excluded);
      const closest = (isInverted ? perClass.max(2) : perClass.min(2)).reshape([-1]);
      return tf.gather(closest, tf.tensor1d(Int32Array.from(cells), 'int32')) as tf.Tensor1D;
    },
  };
}

const BIG = 1e9;
