import * as tf from '@tensorflow/tfjs';
import type { Distance } from '../distances/index.ts';
import { readLabels } from '../labels.ts';
import type { Miner } from '../miners/index.ts';
import {
  type LossTerm,
  type LossTerms,
  type Reducer,
  type ReductionKind,
  reduceTerms,
} from '../reducers/index.ts';
import type { EmbeddingRegularizer } from '../regularizers/index.ts';
import { type IndicesTuple, type LabelSets, labelSets } from '../tuples.ts';
import { createRecordedStats } from './recorded-stats.ts';

export interface ComputeOptions {
  /** Mines the tuples from this batch (after refEmbeddings, when given). */
  miner?: Miner;
  /** Tuples chosen by the caller; ignored when a miner is given. */
  indicesTuple?: IndicesTuple;
  /** A reference set to compare the batch against (PML `ref_emb`), e.g. positives or a memory bank. */
  refEmbeddings?: tf.Tensor2D;
  refLabels?: tf.Tensor1D;
}

/** A metric-learning loss: `compute` is differentiable with respect to the embeddings and `parameters`. */
export interface MetricLoss {
  readonly name: string;
  compute(embeddings: tf.Tensor2D, labels: tf.Tensor1D, options?: ComputeOptions): tf.Scalar;
  /** Learnable parameters by name (proxies, class weights `W`, `beta`): read with data(), set with assign. */
  readonly parameters: Readonly<Record<string, tf.Variable>>;
  /**
   * What the last compute saw, for training logs: per sub-loss its value, tuple count and how many
   * tuples had a non-zero loss (a loss stuck at 0 with tuples but none non-zero means every tuple already
   * satisfies its margin), and the miner's statistics prefixed `miner_`. Asynchronous: the values may
   * live on a GPU.
   */
  readStats(): Promise<Readonly<Record<string, number>>>;
  /** Frees the parameters and the recorded statistics. */
  dispose(): void;
}

/** What a loss's `terms` function receives. */
export interface LossInputs {
  embeddings: tf.Tensor2D;
  /** The reference set, or undefined when the batch is compared with itself. */
  ref: tf.Tensor2D | undefined;
  /** Integer class labels (empty for losses whose labels are scores). */
  sets: LabelSets;
  /** The raw labels tensor, for losses whose labels are not classes (cosent's scores). */
  labels: tf.Tensor1D;
  tuple: IndicesTuple | undefined;
}

export interface LossSpec {
  name: string;
  distance: Distance;
  reducer: Reducer;
  regularizer: EmbeddingRegularizer | undefined;
  supportsRef: boolean;
  supportsTuples: boolean;
  /** 'classes' (integer labels), 'scores' (cosent's graded scores) or 'pairs' (labels unused). */
  labels: 'classes' | 'scores' | 'pairs';
  parameters?: Record<string, tf.Variable>;
  terms(inputs: LossInputs): LossTerms;
}

/** The shared compute path: checks inputs, mines, computes the terms, regularises, reduces, records stats. */
export function buildLoss(spec: LossSpec): MetricLoss {
  const stats = createRecordedStats();
  const parameters = spec.parameters ?? {};
  return {
    name: spec.name,
    parameters,
    readStats: () => stats.read(),
    dispose: () => {
      stats.dispose();
      for (const variable of Object.values(parameters)) variable.dispose();
    },
    compute(embeddings, labels, options = {}) {
      const { refEmbeddings: ref, refLabels, miner } = options;
      if (ref !== undefined && !spec.supportsRef)
        throw new Error(`${spec.name} does not support refEmbeddings`);
      if ((miner || options.indicesTuple) && !spec.supportsTuples) {
        throw new Error(`${spec.name} does not take mined tuples (miner or indicesTuple)`);
      }
      checkShapes(spec, embeddings, labels, ref, refLabels);
      const sets =
        spec.labels === 'classes'
          ? labelSets(readLabels(labels), ref === undefined ? undefined : readLabels(refLabels!, 'refLabels'))
          : labelSets(new Int32Array(0));
      const tuple = miner
        ? miner.mine(embeddings, sets.labels, ref, ref && sets.refLabels)
        : options.indicesTuple;
      if (tuple) checkTuple(tuple, embeddings.shape[0], ref?.shape[0] ?? embeddings.shape[0]);
      const host: Record<string, number> = {};
      return tf.tidy(() => {
        const terms = spec.terms({ embeddings, ref, sets, labels, tuple });
        if (spec.regularizer) terms.embedding_reg_loss = spec.regularizer(embeddings);
        const { total, parts } = reduceTerms(spec.reducer, terms, { embeddings, labels: sets.labels });
        const device: Record<string, tf.Scalar> = {};
        for (const [name, term] of Object.entries(terms)) termStats(name, term, parts[name], host, device);
        if (miner) for (const [key, value] of Object.entries(miner.stats)) host[`miner_${key}`] = value;
        stats.record(host, device);
        return total;
      });
    },
  };
}

/** A term's value and non-zero count stay on the device (read later); its tuple count is known here. */
function termStats(
  name: string,
  term: LossTerm,
  reduced: tf.Scalar,
  host: Record<string, number>,
  device: Record<string, tf.Scalar>,
): void {
  device[name] = reduced;
  if (term.kind === 'already_reduced') return;
  host[`${name}_tuples`] = term.losses?.size ?? 0;
  if (term.losses === null) host[`${name}_nonzero`] = 0;
  else device[`${name}_nonzero`] = term.losses.greater(0).sum().cast('float32') as tf.Scalar;
}

function checkShapes(
  spec: LossSpec,
  embeddings: tf.Tensor2D,
  labels: tf.Tensor1D,
  ref: tf.Tensor2D | undefined,
  refLabels: tf.Tensor1D | undefined,
): void {
  if (embeddings.rank !== 2) throw new Error(`${spec.name}: embeddings must be [batch, dim]`);
  if (labels.rank !== 1 || labels.shape[0] !== embeddings.shape[0]) {
    throw new Error(`${spec.name}: labels must be [batch] (${embeddings.shape[0]}), got [${labels.shape}]`);
  }
  if (ref === undefined) return;
  if (ref.rank !== 2 || ref.shape[1] !== embeddings.shape[1]) {
    throw new Error(`${spec.name}: refEmbeddings must be [rows, ${embeddings.shape[1]}], got [${ref.shape}]`);
  }
  if (spec.labels === 'classes' && (refLabels === undefined || refLabels.shape[0] !== ref.shape[0])) {
    throw new Error(`${spec.name}: refEmbeddings need refLabels of length ${ref.shape[0]}`);
  }
}

function checkTuple(tuple: IndicesTuple, rows: number, refRows: number): void {
  const parts: [Int32Array, number][] =
    tuple.kind === 'pairs'
      ? [
          [tuple.a1, rows],
          [tuple.p, refRows],
          [tuple.a2, rows],
          [tuple.n, refRows],
        ]
      : [
          [tuple.a, rows],
          [tuple.p, refRows],
          [tuple.n, refRows],
        ];
  for (const [indices, limit] of parts) {
    for (const index of indices) {
      if (index < 0 || index >= limit)
        throw new Error(`indicesTuple holds index ${index} outside [0, ${limit})`);
    }
  }
  if (
    tuple.kind === 'pairs'
      ? tuple.a1.length !== tuple.p.length || tuple.a2.length !== tuple.n.length
      : tuple.a.length !== tuple.p.length || tuple.a.length !== tuple.n.length
  ) {
    throw new Error('indicesTuple arrays of one tuple must have equal lengths');
  }
}

/** A term over `indices` whose losses come from `compute`, or an empty term when it has no tuple. */
export function tupleTerm(
  kind: ReductionKind,
  indices: Int32Array[],
  compute: () => tf.Tensor1D,
  present = indices[0].length > 0,
): LossTerm {
  return { kind, indices, losses: present ? compute() : null };
}

/** 0..n-1, the indices of element losses. */
export function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}
