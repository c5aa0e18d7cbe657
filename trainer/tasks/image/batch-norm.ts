import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAINING, BATCH_NORM_TRAINING_GRAD } from '../../backend/wasm-batch-norm.ts';

/**
 * Training-mode batch normalisation of NHWC activations over (batch, height, width), with the closed-form
 * gradient of Ioffe & Szegedy (2015, section 3):
 *   x̂ = (x - mean) / sqrt(var + eps),  y = gamma x̂ + beta,
 *   dx = gamma / sqrt(var + eps) * (dy - mean(dy) - x̂ mean(dy x̂)),  dgamma = Σ dy x̂,  dbeta = Σ dy.
 * tfjs's own batchNorm gradient tiles the per-channel terms to the activation's full shape (a third of a
 * CNN step on wasm); here they stay [1, channels] and broadcast, and every per-channel sum is a sum over
 * the leading axis of [rows, channels] (fast on wasm with our Sum kernel). The variance is the biased
 * one (divided by the row count), as in training-mode BatchNorm2d.
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStats: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
  activation: 'none' | 'relu' = 'none',
): tf.Tensor4D {
  const relu = activation === 'relu';
  // On wasm the ReLU and its gradient fold into the normalisation's own passes.
  if (tf.getBackend() === 'wasm' && tf.getKernel(BATCH_NORM_TRAINING, 'wasm') !== undefined) {
    const normalize = tf.customGrad(
      fusedForward(epsilon, relu, onStats) as unknown as Parameters<typeof tf.customGrad>[0],
    );
    return normalize(x, gamma, beta) as tf.Tensor4D;
  }
  const channels = x.shape[3];
  const rows = x.size / channels;
  const columnMeans = (m: tf.Tensor2D) => m.sum(0, true).div(rows) as tf.Tensor2D;
  const forward = (input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, save: tf.GradSaveFunc) => {
    const flat = input.reshape([rows, channels]) as tf.Tensor2D;
    const mean = columnMeans(flat);
    const centered = flat.sub(mean);
    const variance = columnMeans(centered.square() as tf.Tensor2D);
    const invStd = variance.add(epsilon).rsqrt();
    const normalized = centered.mul(invStd);
    onStats(mean.reshape([channels]), variance.reshape([channels]));
    save([normalized, invStd, scale]);
    return {
      value: normalized.mul(scale).add(offset).reshape(x.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xHat, inverseStd, gammaValue] = saved;
        const grad = dy.reshape([rows, channels]) as tf.Tensor2D;
        const meanGrad = columnMeans(grad);
        const meanGradXHat = columnMeans(grad.mul(xHat) as tf.Tensor2D);
        const dx = grad.sub(meanGrad).sub(xHat.mul(meanGradXHat)).mul(gammaValue.mul(inverseStd));
        return [
          dx.reshape(x.shape),
          meanGradXHat.mul(rows).reshape([channels]),
          meanGrad.mul(rows).reshape([channels]),
        ];
      },
    };
  };
  const normalize = tf.customGrad(forward as unknown as Parameters<typeof tf.customGrad>[0]);
  const normalized = normalize(x, gamma, beta) as tf.Tensor4D;
  return relu ? tf.relu(normalized) : normalized;
}

/** The same normalisation and gradient as two fused wasm kernels (trainer/backend/wasm-batch-norm.ts). */
function fusedForward(
  epsilon: number,
  relu: boolean,
  onStats: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
) {
  return (input: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, save: tf.GradSaveFunc) => {
    const attrs = { epsilon, relu };
    const [y, mean, variance] = tf
      .engine()
      .runKernel(BATCH_NORM_TRAINING, { x: input, scale, offset }, attrs) as tf.Tensor[];
    onStats(mean as tf.Tensor1D, variance as tf.Tensor1D);
    save([input, mean, variance, scale, offset]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [xs, m, v, g, b]: tf.Tensor[]) =>
        tf
          .engine()
          .runKernel(
            BATCH_NORM_TRAINING_GRAD,
            { dy, x: xs, mean: m, variance: v, scale: g, offset: b },
            attrs,
          ) as tf.Tensor[],
    };
  };
}
