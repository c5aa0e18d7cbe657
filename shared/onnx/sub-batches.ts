import type { FeatureBatch, TextFeatures, TextFeaturizer } from '../featurizer/text.ts';

/**
 * Splitting one embed call into padded sub-batches. A padded batch costs rows x longest-row cells, so
 * one long text in a batch of short ones would multiply the work; a separate run costs a fixed overhead
 * instead. Texts are sorted by feature count and a sub-batch grows while the padding the next text adds
 * to the rows already in it is cheaper than a new run. Sorting makes that greedy rule see each length
 * step once, and the cap bounds the memory of any single run.
 */

/** One run's fixed cost in padded cells: ~0.1 ms per onnxruntime-web run vs ~0.1-0.4 us per cell, measured. */
export const RUN_OVERHEAD_CELLS = 512;
/** Upper bound on rows x length per run: the gathered rows alone take cells x embeddingDim floats. */
export const MAX_PADDED_CELLS = 1 << 16;

export interface SubBatchLimits {
  runOverheadCells: number;
  maxPaddedCells: number;
}

/** Groups of indices into `featureCounts`, each group one run; every index appears exactly once. */
export function planSubBatches(
  featureCounts: readonly number[],
  limits: SubBatchLimits = { runOverheadCells: RUN_OVERHEAD_CELLS, maxPaddedCells: MAX_PADDED_CELLS },
): number[][] {
  // An empty text still occupies one padded slot (the featurizer's minimum length).
  const lengthOf = (i: number) => Math.max(1, featureCounts[i]);
  const order = featureCounts.map((_, i) => i).sort((a, b) => lengthOf(a) - lengthOf(b));
  const groups: number[][] = [];
  let group: number[] = [];
  let longest = 0;
  for (const index of order) {
    const length = lengthOf(index);
    const addedPadding = group.length * (length - longest);
    const tooBig = (group.length + 1) * length > limits.maxPaddedCells;
    if (group.length > 0 && (addedPadding > limits.runOverheadCells || tooBig)) {
      groups.push(group);
      group = [];
    }
    group.push(index);
    longest = length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Pads features into a [rows, length] batch exactly as `TextFeaturizer.featurizeBatch` does. */
export function padFeatures(features: readonly TextFeatures[]): FeatureBatch {
  const length = Math.max(1, ...features.map((f) => f.ids.length));
  const ids = new Int32Array(features.length * length);
  const weights = new Float32Array(features.length * length);
  features.forEach((f, row) => {
    ids.set(f.ids, row * length);
    weights.set(f.weights, row * length);
  });
  return { ids, weights, batch: features.length, length };
}

/**
 * The padded sub-batches one embed call of `texts` runs, each with the indices of its texts: the bag
 * layout pads the texts' features; the 'tokens' layout lays each group out per token (featurizeBatch).
 */
export function featureSubBatches(
  featurizer: TextFeaturizer,
  texts: readonly string[],
): { rows: number[]; batch: FeatureBatch }[] {
  const features = texts.map((text) => featurizer.featurize(text));
  return planSubBatches(features.map((f) => f.ids.length)).map((rows) => ({
    rows,
    batch:
      featurizer.config.layout === 'tokens'
        ? featurizer.featurizeBatch(rows.map((i) => texts[i]))
        : padFeatures(rows.map((i) => features[i])),
  }));
}
