import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { mulberry32 } from '../../../shared/random.ts';
import { l2NormalizeRows } from '../../encoder/text-encoder.ts';

/**
 * A training-only projection head (SimCLR, Chen et al. 2020, section 4.2): the loss sees
 * z = normalize(W1 relu(W0 h + b0) + b1) of the encoder's output h, while retrieval, the index and the
 * ONNX file use h itself. The head absorbs what the loss discards (class collapse, invariances), so h
 * keeps more of what unseen classes need.
 */
export const ProjectionHeadConfigSchema = z
  .object({
    hidden: z.number().int().positive().default(256),
    output: z.number().int().positive().default(64),
  })
  .strict();
export type ProjectionHeadConfig = z.infer<typeof ProjectionHeadConfigSchema>;

export function headParamDims(inputDim: number, config: ProjectionHeadConfig): Record<string, number[]> {
  return {
    'head.kernel0': [inputDim, config.hidden],
    'head.bias0': [config.hidden],
    'head.kernel1': [config.hidden, config.output],
    'head.bias1': [config.output],
  };
}

/** torch.nn.Linear's default initialisation: uniform in +-1/sqrt(fan_in), zero-mean; biases zero here. */
export function initHead(
  inputDim: number,
  config: ProjectionHeadConfig,
  seed: number,
): Record<string, Float32Array> {
  const random = mulberry32(seed);
  return Object.fromEntries(
    Object.entries(headParamDims(inputDim, config)).map(([name, dims]) => {
      const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
      if (dims.length === 2) {
        const bound = 1 / Math.sqrt(dims[0]);
        for (let i = 0; i < values.length; i++) values[i] = (2 * random() - 1) * bound;
      }
      return [name, values];
    }),
  );
}

export function headForward(params: Record<string, tf.Tensor>, features: tf.Tensor2D): tf.Tensor2D {
  const hidden = tf.relu(features.matMul(params['head.kernel0'] as tf.Tensor2D).add(params['head.bias0']));
  return l2NormalizeRows(
    hidden.matMul(params['head.kernel1'] as tf.Tensor2D).add(params['head.bias1']) as tf.Tensor2D,
  );
}
