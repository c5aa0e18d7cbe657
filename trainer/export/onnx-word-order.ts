import type { WordOrderWeights } from '../encoder/word-order.ts';
import { attribute, makeInitializer, makeNode, type NodeProto, type TensorProto } from './onnx-graph.ts';

interface Subgraph {
  initializers: TensorProto[];
  nodes: NodeProto[];
}

/** ONNX Slice's "to the end" (INT64_MAX). */
const TO_END = 2n ** 63n - 1n;

/**
 * `poolWithWordOrder` (trainer/encoder/word-order.ts) as ONNX nodes, from the gathered rows
 * [batch, tokens, slots, dim] to `pooled` [batch, dim]:
 *   u      = sum_s rowWeights * rows / max(sum_s weights, eps)        token means [batch, tokens, dim]
 *   hidden = relu(concat_k pad(u)[:, k : k + tokens] @ mix + mixBias)
 *   pooled = sum_t (u + hidden @ out) * W_t / max(sum_t W_t, eps)
 * `rowWeights` carries the int8 row scales; the denominators use the raw `weights`. `mix` and `out`
 * are named matrices the caller provides (fp32 or dequantised int8); `epsilon` is a scalar initializer.
 */
export function wordOrderPooling(
  order: WordOrderWeights,
  names: {
    rows: string;
    rowWeights: string;
    weights: string;
    mix: string;
    out: string;
    epsilon: string;
    /** int64 [1] initializers holding 1 and 2. */
    axis1: string;
    axis2: string;
  },
): Subgraph {
  const half = (order.width - 1) / 2;
  const windows = Array.from({ length: order.width }, (_, k) => `window_${k}`);
  return {
    initializers: [
      makeInitializer('word_order_mix_bias', order.mixBias, [order.rank]),
      makeInitializer('word_order_pads', BigInt64Array.of(0n, BigInt(half), 0n, 0n, BigInt(half), 0n), [6]),
      makeInitializer('word_order_axis_3', BigInt64Array.of(3n), [1]),
      ...windows.flatMap((_, k) => [
        makeInitializer(`window_${k}_start`, BigInt64Array.of(BigInt(k)), [1]),
        // Window k covers padded positions k .. k + tokens - 1, i.e. it stops 2h - k before the end.
        makeInitializer(
          `window_${k}_end`,
          BigInt64Array.of(k === 2 * half ? TO_END : BigInt(k - 2 * half)),
          [1],
        ),
      ]),
    ],
    nodes: [
      makeNode('Unsqueeze', [names.rowWeights, 'word_order_axis_3'], ['slot_weights_4d']),
      makeNode('Mul', [names.rows, 'slot_weights_4d'], ['weighted_slots']),
      makeNode('ReduceSum', ['weighted_slots', names.axis2], ['token_sums'], [attribute.int('keepdims', 0)]),
      makeNode('ReduceSum', [names.weights, names.axis2], ['token_weight'], [attribute.int('keepdims', 1)]),
      makeNode('Max', ['token_weight', names.epsilon], ['safe_token_weight']),
      makeNode('Div', ['token_sums', 'safe_token_weight'], ['token_means']),
      makeNode('Pad', ['token_means', 'word_order_pads'], ['padded_means']),
      ...windows.map((window, k) =>
        makeNode('Slice', ['padded_means', `window_${k}_start`, `window_${k}_end`, names.axis1], [window]),
      ),
      makeNode('Concat', windows, ['token_windows'], [attribute.int('axis', 2)]),
      makeNode('MatMul', ['token_windows', names.mix], ['mixed_windows']),
      makeNode('Add', ['mixed_windows', 'word_order_mix_bias'], ['hidden_pre']),
      makeNode('Relu', ['hidden_pre'], ['hidden']),
      makeNode('MatMul', ['hidden', names.out], ['word_order_residual']),
      makeNode('Add', ['token_means', 'word_order_residual'], ['token_vectors']),
      makeNode('ReduceSum', ['token_weight', names.axis1], ['text_weight'], [attribute.int('keepdims', 1)]),
      makeNode('Max', ['text_weight', names.epsilon], ['safe_text_weight']),
      makeNode('Div', ['token_weight', 'safe_text_weight'], ['token_share']),
      makeNode('Mul', ['token_vectors', 'token_share'], ['shared_tokens']),
      makeNode('ReduceSum', ['shared_tokens', names.axis1], ['pooled'], [attribute.int('keepdims', 0)]),
    ],
  };
}

/** The layer's two matrices as [name, values, rows, cols], for the caller to store at its precision. */
export function wordOrderMatrices(
  order: WordOrderWeights,
  dim: number,
): [string, Float32Array, number, number][] {
  return [
    ['word_order_mix', order.mix, order.width * dim, order.rank],
    ['word_order_out', order.out, order.rank, dim],
  ];
}
