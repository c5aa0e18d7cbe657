import * as tf from '@tensorflow/tfjs';
import type { Distance } from '../distances/index.ts';
import { readLabels } from '../labels.ts';
import { type IndicesTuple, type LabelSets, labelSets } from '../tuples.ts';

/**
 * A miner picks the informative tuples of a batch (PML BaseMiner). It never takes part in gradients: it
 * reads the distance matrix into JS and returns plain index arrays.
 */
export interface Miner {
  readonly name: string;
  readonly distance: Distance;
  mine(
    embeddings: tf.Tensor2D,
    labels: tf.Tensor1D | Int32Array,
    refEmbeddings?: tf.Tensor2D,
    refLabels?: tf.Tensor1D | Int32Array,
  ): IndicesTuple;
  /** What the last call found: tuple counts and mean distances, for training logs. */
  readonly stats: Readonly<Record<string, number>>;
}

/** The distance matrix as JS numbers, row-major [rows, cols]. */
export interface DistanceTable {
  values: Float32Array;
  rows: number;
  cols: number;
  isInverted: boolean;
}

export interface MineResult {
  tuple: IndicesTuple;
  stats: Record<string, number>;
}

export type MineFunction = (table: DistanceTable, sets: LabelSets, dim: number) => MineResult;

export function buildMiner(name: string, distance: Distance, mine: MineFunction): Miner {
  let stats: Record<string, number> = {};
  return {
    name,
    distance,
    get stats() {
      return stats;
    },
    mine(embeddings, labels, refEmbeddings, refLabels) {
      if ((refEmbeddings === undefined) !== (refLabels === undefined)) {
        throw new Error(`${name} miner: refEmbeddings and refLabels go together`);
      }
      refuseDeviceBackend(`the ${name} miner`);
      const sets = labelSets(
        readLabels(labels),
        refLabels === undefined ? undefined : readLabels(refLabels, 'refLabels'),
      );
      const values = tf.tidy(() => distance.matrix(embeddings, refEmbeddings).dataSync() as Float32Array);
      const table = {
        values,
        rows: sets.labels.length,
        cols: sets.refLabels.length,
        isInverted: distance.isInverted,
      };
      const result = mine(table, sets, embeddings.shape[1]);
      stats = { ...countTuples(result.tuple), ...result.stats };
      return result.tuple;
    },
  };
}

function countTuples(tuple: IndicesTuple): Record<string, number> {
  return tuple.kind === 'pairs'
    ? { pos_pairs: tuple.a1.length, neg_pairs: tuple.a2.length }
    : { triplets: tuple.a.length };
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length === 0 ? 0 : sum / values.length;
}

/** Values of the table at the given entries. */
export function entries(table: DistanceTable, rows: Int32Array, cols: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = table.values[rows[i] * table.cols + cols[i]];
  return out;
}

/** True when distance x is closer than y (smaller distance, larger similarity). */
export function closer(table: DistanceTable, x: number, y: number): boolean {
  return table.isInverted ? x > y : x < y;
}

/**
 * Miners (and the cross-batch memory) read distances or embeddings back in the middle of a step, which
 * WebGPU in Node cannot do (no synchronous read): refused there with a clear message.
 */
export function refuseDeviceBackend(what: string): void {
  if (tf.getBackend() === 'webgpu') {
    throw new Error(
      `${what} reads the batch back in the middle of a training step, which webgpu cannot do in Node: ` +
        'train this config on wasm, tensorflow or tensorflow-gpu, or drop the miner for webgpu',
    );
  }
}
