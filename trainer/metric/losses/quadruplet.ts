import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { DistanceTable } from '../miners/base.ts';
import { closer } from '../miners/base.ts';
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
      const table: DistanceTable = {
        values: mat.dataSync() as Float32Array,
        rows: mat.shape[0],
        cols: mat.shape[1],
        isInverted: distance.isInverted,
      };
      const second = fourthSamples(table, sets, { kind: 'triplets', a, p, n });
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
            tf.relu(
              distance.margin(ap(second.a, second.p), ap(second.n, second.l)).add(config.margin_2),
            ) as tf.Tensor1D,
        ),
      };
    },
  });
}

/** For each triplet, the sample l closest to n whose class is neither a's nor n's. */
function fourthSamples(table: DistanceTable, sets: LabelSets, triplets: TripletTuple) {
  const classes = [...new Set(sets.labels)];
  const classIndex = new Map(classes.map((label, i) => [label, i]));
  // closest[n * classes + c]: the closest l to n with label(l) ∉ {label(n), classes[c]}.
  const closest = new Int32Array(table.rows * classes.length).fill(-1);
  for (let row = 0; row < table.rows; row++) {
    for (let c = 0; c < classes.length; c++) {
      let best = -1;
      for (let l = 0; l < table.cols; l++) {
        if (sets.labels[l] === sets.labels[row] || sets.labels[l] === classes[c]) continue;
        if (
          best < 0 ||
          closer(table, table.values[row * table.cols + l], table.values[row * table.cols + best])
        )
          best = l;
      }
      closest[row * classes.length + c] = best;
    }
  }
  const out = { a: [] as number[], p: [] as number[], n: [] as number[], l: [] as number[] };
  for (let t = 0; t < triplets.a.length; t++) {
    const n = triplets.n[t];
    const l = closest[n * classes.length + classIndex.get(sets.labels[triplets.a[t]])!];
    if (l < 0) continue;
    out.a.push(triplets.a[t]);
    out.p.push(triplets.p[t]);
    out.n.push(n);
    out.l.push(l);
  }
  return {
    a: Int32Array.from(out.a),
    p: Int32Array.from(out.p),
    n: Int32Array.from(out.n),
    l: Int32Array.from(out.l),
  };
}
