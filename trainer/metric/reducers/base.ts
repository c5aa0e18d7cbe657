import type * as tf from '@tensorflow/tfjs';
import { zeroLoss } from '../tensor-ops.ts';

/**
 * What a loss hands its reducer, after PML's loss dictionaries: one term per sub-loss, each a vector of
 * per-tuple losses tagged with what a tuple is.
 */
export type ReductionKind = 'element' | 'pos_pair' | 'neg_pair' | 'triplet' | 'already_reduced';

export interface LossTerm {
  /** One loss per tuple; null when the batch had no tuple for this term (it then adds a zero loss). */
  losses: tf.Tensor1D | tf.Scalar | null;
  kind: ReductionKind;
  /**
   * element: [the batch index of each loss]; pos_pair and neg_pair: [anchors, others];
   * triplet: [anchors, positives, negatives]; already_reduced: [].
   */
  indices: Int32Array[];
  /**
   * For the divisor reducer: the number the summed losses are divided by; a scalar tensor when the loss
   * counts on the device (margin's active pairs: reading it back mid-step is impossible on WebGPU).
   */
  divisor?: number | tf.Scalar;
}

export type LossTerms = Record<string, LossTerm>;

export interface ReduceContext {
  embeddings: tf.Tensor2D;
  labels: Int32Array;
}

/** Reduces the losses of one non-empty, not already reduced term to a scalar. */
export interface Reducer {
  readonly name: string;
  reduce(losses: tf.Tensor1D, term: LossTerm, context: ReduceContext): tf.Scalar;
}

/** PML BaseReducer.forward: each term reduced on its own, then the sub-losses summed. */
export function reduceTerms(
  reducer: Reducer,
  terms: LossTerms,
  context: ReduceContext,
): { total: tf.Scalar; parts: Record<string, tf.Scalar> } {
  const parts: Record<string, tf.Scalar> = {};
  for (const [name, term] of Object.entries(terms)) parts[name] = reduceTerm(reducer, term, context);
  const values = Object.values(parts);
  const total = values.reduce((sum, part) => sum.add(part), zeroLoss(context.embeddings));
  return { total, parts };
}

function reduceTerm(reducer: Reducer, term: LossTerm, context: ReduceContext): tf.Scalar {
  if (term.losses === null) return zeroLoss(context.embeddings);
  if (term.kind === 'already_reduced') return term.losses.sum();
  return reducer.reduce(term.losses as tf.Tensor1D, term, context);
}
