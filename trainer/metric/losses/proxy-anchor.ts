import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { maskedLogSumExp } from '../tensor-ops.ts';
import { tupleWeights } from '../tuples.ts';
import { buildLoss, type MetricLoss, range } from './base.ts';
import { checkClassLabels, classParameterFields, seededNormalVariable } from './class-parameters.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * Proxy-Anchor loss (Kim et al. 2020, eq. 4), as PML `ProxyAnchorLoss(num_classes, embedding_size,
 * margin=0.1, alpha=32)`: with proxies as anchors,
 * (1/|P+|) Σ_{p∈P+} log(1 + Σ_{x∈X+p} e^(-alpha (s(x,p) - margin)))
 * + (1/|P|) Σ_{p∈P} log(1 + Σ_{x∈X-p} e^(alpha (s(x,p) + margin))), where P+ are the proxies with a
 * positive in the batch. Parameter `proxies` [num_classes, embedding_size], Kaiming-normal init (fan-out,
 * std √(2/num_classes)) like PML. Default distance cosine, reducer divisor. A miner's tuples weight each
 * embedding's logits by log-space offsets (weight - 1), as PML does.
 */
export const ProxyAnchorLossConfigSchema = lossSchema(z.literal('proxy_anchor'), {
  ...classParameterFields,
  margin: z.number().default(0.1),
  alpha: z.number().positive().default(32),
});
export type ProxyAnchorLossConfig = z.infer<typeof ProxyAnchorLossConfigSchema>;

export function createProxyAnchorLoss(config: ProxyAnchorLossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'cosine' }, reducer: { name: 'divisor' } });
  const { distance } = common;
  const classes = config.num_classes;
  const proxies = seededNormalVariable(classes, config.embedding_size, Math.sqrt(2 / classes), config.seed);
  return buildLoss({
    name: 'proxy_anchor',
    ...common,
    parameters: { proxies },
    supportsRef: false,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, sets, tuple }) => {
      checkClassLabels('proxy_anchor', sets.labels, classes);
      const rows = embeddings.shape[0];
      // [classes, rows] layouts: each proxy's log-sum-exp runs over the batch.
      const posMask = new Float32Array(classes * rows);
      sets.labels.forEach((label, i) => {
        posMask[label * rows + i] = 1;
      });
      const negMask = posMask.map((v) => 1 - v);
      const withPositives = new Set(sets.labels).size;
      const offsets = tf.tensor1d(tupleWeights(tuple, rows)).sub(1);
      const sim = distance.matrix(embeddings, proxies as tf.Tensor2D).transpose() as tf.Tensor2D;
      const posLogits = distance.margin(sim, config.margin).mul(config.alpha).add(offsets) as tf.Tensor2D;
      const negLogits = distance.margin(-config.margin, sim).mul(config.alpha).add(offsets) as tf.Tensor2D;
      const indices = [range(classes)];
      return {
        pos_loss: {
          losses: maskedLogSumExp(posLogits, posMask, true),
          kind: 'element',
          indices,
          divisor: withPositives,
        },
        neg_loss: {
          losses: maskedLogSumExp(negLogits, negMask, true),
          kind: 'element',
          indices,
          divisor: classes,
        },
      };
    },
  });
}
