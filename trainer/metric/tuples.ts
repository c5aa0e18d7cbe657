import type { Random } from '../../shared/random.ts';

/**
 * Index tuples, as pytorch-metric-learning's miners return them. Anchor indices point into the batch
 * (`embeddings`); positive and negative indices point into the reference set (`refEmbeddings`, or the
 * batch itself when there is none).
 *
 * - pairs: positive pairs (a1[i], p[i]) and negative pairs (a2[j], n[j]), PML's (a1, p, a2, n);
 * - triplets: (a[i], p[i], n[i]) with p sharing a's label and n not, PML's (a, p, n).
 */
export type IndicesTuple = PairTuple | TripletTuple;

export interface PairTuple {
  kind: 'pairs';
  a1: Int32Array;
  p: Int32Array;
  a2: Int32Array;
  n: Int32Array;
}

export interface TripletTuple {
  kind: 'triplets';
  a: Int32Array;
  p: Int32Array;
  n: Int32Array;
}

/** Labels of the batch and of the reference set; `sameSet` when the reference is the batch itself. */
export interface LabelSets {
  labels: Int32Array;
  refLabels: Int32Array;
  sameSet: boolean;
}

export function labelSets(labels: Int32Array, refLabels?: Int32Array): LabelSets {
  return { labels, refLabels: refLabels ?? labels, sameSet: refLabels === undefined };
}

/** True when (i, j) is a positive pair: same label, and not an embedding compared with itself. */
function isPositive(sets: LabelSets, i: number, j: number): boolean {
  return sets.labels[i] === sets.refLabels[j] && !(sets.sameSet && i === j);
}

/** Every positive and negative pair (PML `get_all_pairs_indices`), in row-major order. */
export function allPairs(sets: LabelSets): PairTuple {
  const rows = sets.labels.length;
  const cols = sets.refLabels.length;
  // Count first, then fill typed arrays: batches of a few hundred rows have hundreds of thousands of pairs.
  let positives = 0;
  let negatives = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (sets.labels[i] !== sets.refLabels[j]) negatives++;
      else if (isPositive(sets, i, j)) positives++;
    }
  }
  const tuple: PairTuple = {
    kind: 'pairs',
    a1: new Int32Array(positives),
    p: new Int32Array(positives),
    a2: new Int32Array(negatives),
    n: new Int32Array(negatives),
  };
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (sets.labels[i] !== sets.refLabels[j]) {
        tuple.a2[neg] = i;
        tuple.n[neg++] = j;
      } else if (isPositive(sets, i, j)) {
        tuple.a1[pos] = i;
        tuple.p[pos++] = j;
      }
    }
  }
  return tuple;
}

/** Every triplet (PML `get_all_triplets_indices`), ordered by anchor, then positive, then negative. */
export function allTriplets(sets: LabelSets): TripletTuple {
  const perAnchor = Array.from(sets.labels, (_, i) => {
    const positives: number[] = [];
    const negatives: number[] = [];
    for (let j = 0; j < sets.refLabels.length; j++) {
      if (sets.labels[i] !== sets.refLabels[j]) negatives.push(j);
      else if (isPositive(sets, i, j)) positives.push(j);
    }
    return { positives, negatives: Int32Array.from(negatives) };
  });
  const total = perAnchor.reduce(
    (sum, { positives, negatives }) => sum + positives.length * negatives.length,
    0,
  );
  const tuple: TripletTuple = {
    kind: 'triplets',
    a: new Int32Array(total),
    p: new Int32Array(total),
    n: new Int32Array(total),
  };
  let at = 0;
  perAnchor.forEach(({ positives, negatives }, i) => {
    for (const j of positives) {
      tuple.a.fill(i, at, at + negatives.length);
      tuple.p.fill(j, at, at + negatives.length);
      tuple.n.set(negatives, at);
      at += negatives.length;
    }
  });
  return tuple;
}

/**
 * `perAnchor` random triplets for every anchor that has a positive and a negative (PML
 * `get_random_triplet_indices`): positives uniformly, negatives uniformly or by `negativeWeights`
 * (row i holds anchor i's weight for every reference index; anchors whose negatives all weigh 0 are skipped).
 */
export function randomTriplets(
  sets: LabelSets,
  perAnchor: number,
  random: Random,
  negativeWeights?: Float64Array,
): TripletTuple {
  const a: number[] = [];
  const p: number[] = [];
  const n: number[] = [];
  const m = sets.refLabels.length;
  for (let i = 0; i < sets.labels.length; i++) {
    const positives: number[] = [];
    const negatives: number[] = [];
    for (let j = 0; j < m; j++) {
      if (isPositive(sets, i, j)) positives.push(j);
      else if (sets.labels[i] !== sets.refLabels[j]) negatives.push(j);
    }
    if (positives.length === 0 || negatives.length === 0) continue;
    const weights = negativeWeights && negatives.map((j) => negativeWeights[i * m + j]);
    const total = weights ? weights.reduce((s, w) => s + w, 0) : negatives.length;
    if (!(total > 0)) continue;
    for (let t = 0; t < perAnchor; t++) {
      a.push(i);
      p.push(positives[random.int(positives.length)]);
      n.push(
        weights ? negatives[drawWeighted(weights, total, random)] : negatives[random.int(negatives.length)],
      );
    }
  }
  return { kind: 'triplets', a: Int32Array.from(a), p: Int32Array.from(p), n: Int32Array.from(n) };
}

function drawWeighted(weights: number[], total: number, random: Random): number {
  let target = random.next() * total;
  for (let k = 0; k < weights.length; k++) {
    target -= weights[k];
    if (target < 0) return k;
  }
  // Rounding can leave a sliver of mass past the end: give it to the last non-zero weight.
  let last = weights.length - 1;
  while (last > 0 && weights[last] === 0) last--;
  return last;
}

/** PML `convert_to_pairs`: triplets become their (a, p) and (a, n) pairs. */
export function toPairs(tuple: IndicesTuple): PairTuple {
  if (tuple.kind === 'pairs') return tuple;
  return { kind: 'pairs', a1: tuple.a, p: tuple.p, a2: tuple.a, n: tuple.n };
}

/**
 * PML `convert_to_triplets`: pairs become every triplet formed by a positive pair and a negative pair
 * that share their anchor.
 */
export function toTriplets(tuple: IndicesTuple): TripletTuple {
  if (tuple.kind === 'triplets') return tuple;
  const negativesOf = new Map<number, number[]>();
  tuple.a2.forEach((anchor, j) => {
    const list = negativesOf.get(anchor);
    if (list) list.push(tuple.n[j]);
    else negativesOf.set(anchor, [tuple.n[j]]);
  });
  const a: number[] = [];
  const p: number[] = [];
  const n: number[] = [];
  tuple.a1.forEach((anchor, i) => {
    for (const negative of negativesOf.get(anchor) ?? []) {
      a.push(anchor);
      p.push(tuple.p[i]);
      n.push(negative);
    }
  });
  return { kind: 'triplets', a: Int32Array.from(a), p: Int32Array.from(p), n: Int32Array.from(n) };
}

/** The number of tuples: positive plus negative pairs, or triplets. */
export function tupleCount(tuple: IndicesTuple): number {
  return tuple.kind === 'pairs' ? tuple.a1.length + tuple.a2.length : tuple.a.length;
}

/**
 * PML `convert_to_weights`: how often each batch index appears in the tuple, scaled so the most frequent
 * has weight 1. All ones without a tuple (or an empty one). Proxy and classification losses use it to
 * weight each embedding's loss by what a miner selected.
 */
export function tupleWeights(tuple: IndicesTuple | undefined, batchSize: number): Float32Array {
  const weights = new Float32Array(batchSize);
  const parts =
    tuple === undefined
      ? []
      : tuple.kind === 'pairs'
        ? [tuple.a1, tuple.p, tuple.a2, tuple.n]
        : [tuple.a, tuple.p, tuple.n];
  const counts = new Float64Array(batchSize);
  for (const part of parts) for (const index of part) counts[index]++;
  const max = counts.reduce((m, c) => Math.max(m, c), 0);
  if (max === 0) return weights.fill(1);
  for (let i = 0; i < batchSize; i++) weights[i] = counts[i] / max;
  return weights;
}
