import * as tf from '@tensorflow/tfjs';

/** tf ops the losses share, written so that no input (empty rows, zero distances) yields NaN gradients. */

type GradientFunc = Parameters<typeof tf.customGrad>[0];

/**
 * `of(x)` (x itself by default) with zero gradient to x: PML's `.detach()`. The ops of `of` run inside the
 * custom-gradient op, off the tape, so backpropagation never computes their gradients: the gradient of a
 * row max, for one, is a broadcast Equal that costs milliseconds per step on wasm.
 */
export function stopGradient<T extends tf.Tensor, R extends tf.Tensor = T>(
  x: T,
  of: (input: T) => R = (input) => input.clone() as unknown as R,
): R {
  const op = tf.customGrad(((input: T) => ({
    value: of(input),
    gradFunc: () => tf.zerosLike(input),
  })) as unknown as GradientFunc);
  return op(x) as R;
}

/**
 * x^(1/root) for x >= 0 with gradient 0 at x = 0 (torch.cdist's convention), where the true derivative
 * is infinite. Identical embeddings therefore get zero gradient instead of NaN.
 */
export function safeRoot(x: tf.Tensor, root: number): tf.Tensor {
  // tfjs types customGrad's arguments as a union of tensors and the save function, hence the cast.
  const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    const value = root === 2 ? tf.sqrt(input) : tf.pow(input, 1 / root);
    save([input, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [kept, rooted] = saved;
        const positive = tf.greater(kept, 0);
        // d/dx x^(1/r) = x^(1/r) / (r x); the denominator is replaced by 1 where x = 0.
        const safe = tf.where(positive, kept, tf.onesLike(kept));
        return tf.where(positive, dy.mul(rooted).div(safe.mul(root)), tf.zerosLike(dy));
      },
    };
  }) as unknown as GradientFunc);
  return op(tf.relu(x));
}

/** Rows divided by their Lp norm, clamped below at 1e-12 like torch.nn.functional.normalize. */
export function normalizeRows(x: tf.Tensor2D, p: number): tf.Tensor2D {
  return x.div(lpNorm(x, p).expandDims(1).maximum(1e-12)) as tf.Tensor2D;
}

/** The Lp norm of each row. */
export function lpNorm(x: tf.Tensor2D, p: number): tf.Tensor1D {
  if (p === 1) return x.abs().sum(1);
  const summed = p === 2 ? x.square().sum(1) : x.abs().pow(p).sum(1);
  return safeRoot(summed, p) as tf.Tensor1D;
}

/**
 * Entries `mat[rows[i], cols[i]]` as a vector (PML's `mat[a, p]`). Its gradient scatters back through
 * UnsortedSegmentSum, which the wasm backend gets from trainer/backend.
 */
export function gatherEntries(mat: tf.Tensor2D, rows: Int32Array, cols: Int32Array): tf.Tensor1D {
  const width = mat.shape[1];
  const flat = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) flat[i] = rows[i] * width + cols[i];
  return tf.gather(mat.reshape([-1]), tf.tensor1d(flat, 'int32')) as tf.Tensor1D;
}

/** A [rows, cols] 0/1 mask with ones at the given entries. */
export function entryMask(rows: number, cols: number, a: Int32Array, b: Int32Array): Float32Array {
  const mask = new Float32Array(rows * cols);
  for (let i = 0; i < a.length; i++) mask[a[i] * cols + b[i]] = 1;
  return mask;
}

/**
 * Row-wise log-sum-exp over the kept entries (PML `lmu.logsumexp`): `addOne` adds a 0 logit to every row,
 * and rows with nothing kept give 0. `keep` is a 0/1 mask laid out like `x`.
 */
export function maskedLogSumExp(x: tf.Tensor2D, keep: Float32Array, addOne: boolean): tf.Tensor1D {
  const [rows, cols] = x.shape;
  const keepMask = tf.tensor2d(keep, [rows, cols]);
  const anyKept = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (keep[r * cols + c] !== 0) {
        anyKept[r] = 1;
        break;
      }
    }
  }
  const masked = tf.where(keepMask.greater(0), x, tf.fill([rows, cols], Number.NEGATIVE_INFINITY));
  let shift: tf.Tensor = stopGradient(masked, (m) => m.max(1, true));
  if (addOne) shift = shift.maximum(0);
  // Rows with nothing kept have shift -Infinity: use 0 so that exp() sees only -Infinity, never NaN.
  const empty = tf.tensor2d(anyKept, [rows, 1]).equal(0);
  shift = tf.where(empty, tf.zerosLike(shift), shift);
  let total = masked.sub(shift).exp().sum(1, true);
  // The added 0 logit contributes e^(0 - shift); otherwise empty rows get 1 so their log is 0, not -Infinity.
  total = addOne ? total.add(shift.neg().exp()) : total.add(tf.tensor2d(anyKept, [rows, 1]).sub(1).neg());
  return total.log().add(shift).reshape([rows]) as tf.Tensor1D;
}

/** `sum(embeddings * 0)`: PML's zero loss, a 0 that still depends on the embeddings so gradients exist. */
export function zeroLoss(embeddings: tf.Tensor): tf.Scalar {
  return embeddings.mul(0).sum() as tf.Scalar;
}

/** Cross entropy of each row of logits against a target column (PyTorch `CrossEntropyLoss(reduction='none')`). */
export function crossEntropy(logits: tf.Tensor2D, targets: Int32Array): tf.Tensor1D {
  const rows = Int32Array.from({ length: logits.shape[0] }, (_, i) => i);
  return rowLogSumExp(logits).sub(gatherEntries(logits, rows, targets)) as tf.Tensor1D;
}

/**
 * Row-wise log-sum-exp, shifted by each row's max as tf.logSumExp is, with the max off the tape: the
 * shift's gradient is zero in total, and tf.logSumExp's backpropagation through its max would cost a
 * broadcast Equal (14 ms of a 110 ms text-encoder step on wasm).
 */
export function rowLogSumExp(x: tf.Tensor2D): tf.Tensor1D {
  const shift = stopGradient(x, (v) => v.max(1, true));
  return x
    .sub(shift)
    .exp()
    .sum(1)
    .log()
    .add(shift.reshape([-1])) as tf.Tensor1D;
}
