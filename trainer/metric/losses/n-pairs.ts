import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { crossEntropy } from '../tensor-ops.ts';
import { allPairs, type PairTuple, toPairs } from '../tuples.ts';
import { buildLoss, type MetricLoss, range, tupleTerm } from './base.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Multi-class N-pair loss (Sohn 2016), as PML `NPairsLoss()`: one positive pair per class (PML
 * `convert_to_pos_pairs_with_unique_labels`: each label's first pair), then cross entropy of each anchor's
 * similarities to all positives with its own positive as the target. Default distance: dot product of
 * normalised embeddings (PML DotProductSimilarity); reducer mean.
 */
export const NPairsLossConfigSchema = lossSchema(z.literal('n_pairs'), {});
export type NPairsLossConfig = z.infer<typeof NPairsLossConfigSchema>;

export function createNPairsLoss(config: NPairsLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'dot' }, reducer: { name: 'mean' } });
  const { distance } = common;
  return buildLoss({
    name: 'n_pairs',
    ...common,
    supportsRef: false,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, sets, tuple }) => {
      const { a, p } = onePairPerLabel(toPairs(tuple ?? allPairs(sets)), sets.labels);
      return {
        loss: tupleTerm('element', [a], () => {
          const sim = distance.matrix(
            tf.gather(embeddings, a) as tf.Tensor2D,
            tf.gather(embeddings, p) as tf.Tensor2D,
          );
          return crossEntropy(distance.isInverted ? sim : sim.neg(), range(a.length));
        }),
      };
    },
  });
}

/** The first positive pair of each label, in ascending label order (numpy `unique(return_index=True)`). */
function onePairPerLabel(pairs: PairTuple, labels: Int32Array): { a: Int32Array; p: Int32Array } {
  const first = new Map<number, number>();
  pairs.a1.forEach((anchor, i) => {
    if (!first.has(labels[anchor])) first.set(labels[anchor], i);
  });
  const order = [...first.keys()].sort((x, y) => x - y).map((label) => first.get(label)!);
  return { a: Int32Array.from(order, (i) => pairs.a1[i]), p: Int32Array.from(order, (i) => pairs.p[i]) };
}
