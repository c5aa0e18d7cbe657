import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { crossEntropy } from '../tensor-ops.ts';
import { tupleWeights } from '../tuples.ts';
import { buildLoss, type MetricLoss, range, tupleTerm } from './base.ts';
import { checkClassLabels, classParameterFields, seededNormalVariable } from './class-parameters.ts';
import { lossSchema, resolveCommon } from './schema.ts';

/**
 * ProxyNCA (Movshovitz-Attias et al. 2017), as PML `ProxyNCALoss(num_classes, embedding_size,
 * softmax_scale=1)`: one learnable proxy per class (parameter `proxies`, [num_classes, embedding_size],
 * standard normal init like PML's randn); each embedding's loss is -log softmax(-softmax_scale × d)
 * at its class's proxy. Default distance squared normalised Euclidean (PML `LpDistance(power=2)`), reducer
 * mean. A miner's tuples weight each embedding by how often it was mined (PML `convert_to_weights`).
 * Log-softmax keeps embeddings whose probability underflows (PML drops them); with normalised embeddings
 * that never happens.
 */
export const ProxyNCALossConfigSchema = lossSchema(z.literal('proxy_nca'), {
  ...classParameterFields,
  softmax_scale: z.number().positive().default(1),
});
export type ProxyNCALossConfig = z.infer<typeof ProxyNCALossConfigSchema>;

export function createProxyNCALoss(config: ProxyNCALossConfig): MetricLoss {
  const common = resolveCommon(config, { distance: { name: 'lp', power: 2 }, reducer: { name: 'mean' } });
  const { distance } = common;
  const proxies = seededNormalVariable(config.num_classes, config.embedding_size, 1, config.seed);
  return buildLoss({
    name: 'proxy_nca',
    ...common,
    parameters: { proxies },
    supportsRef: false,
    supportsTuples: true,
    labels: 'classes',
    terms: ({ embeddings, sets, tuple }) => {
      checkClassLabels('proxy_nca', sets.labels, config.num_classes);
      const rows = embeddings.shape[0];
      return {
        loss: tupleTerm('element', [range(rows)], () => {
          const mat = distance.matrix(embeddings, proxies as tf.Tensor2D);
          const logits = (distance.isInverted ? mat : mat.neg()).mul(config.softmax_scale) as tf.Tensor2D;
          return crossEntropy(logits, sets.labels).mul(tf.tensor1d(tupleWeights(tuple, rows))) as tf.Tensor1D;
        }),
      };
    },
  });
}
