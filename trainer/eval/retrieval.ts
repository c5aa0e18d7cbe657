import { z } from 'zod';
import { JsonNumberSchema } from '../../shared/validation.ts';
import { KnnDistanceSchema, type KnnOptions, knn } from './knn.ts';
import { checkLabels, type EmbeddingMatrix } from './matrix.ts';

/**
 * Retrieval metrics with the definitions of pytorch-metric-learning 2.x AccuracyCalculator
 * (utils/accuracy_calculator.py), plus the DML Recall@K:
 *
 * - k: the neighbours each query retrieves. Default 'max_bin_count' (PML's value of that name): the
 *   largest number of reference items sharing a query's label, minus 1 when the reference includes the
 *   queries. That is the smallest k for which r_precision and MAP@R are exact. 'all' retrieves every
 *   reference (PML's k=None; memory grows as queries x references). A number is used as given (clamped
 *   to the references available).
 * - R for a query: reference items with its label (minus itself when the reference includes the queries).
 * - precision_at_1: is the nearest neighbour of the same class.
 * - r_precision: same-class items among the first min(R, k) neighbours, divided by min(R, k).
 * - mean_average_precision_at_r: sum over the first min(R, k) positions i that hold a same-class item of
 *   precision@i, divided by min(R, k).
 * - mean_average_precision: sum over the k positions i that hold a same-class item of precision@i,
 *   divided by the number of same-class items among the k (1 when there are none), as PML does.
 * - mean_reciprocal_rank: 1 / rank of the first same-class neighbour within k, 0 when there is none.
 * - recall_at_K (not in PML; the DML "Recall@K" of Song et al. 2016): 1 when any of the first K
 *   neighbours has the query's class. K may exceed k; the search then goes K deep.
 *
 * Lone queries, whose class has no item in the reference besides themselves, cannot score and are left
 * out of every metric (PML's not_lone_query_mask); their labels are listed in `loneLabels`. When every
 * query is lone, every metric is 0, as in PML.
 *
 * `overall` averages over queries (PML's default); `classAveraged` averages the per-class means
 * (PML's avg_of_avgs=True), which weighs every class equally whatever its size.
 */
export const RetrievalOptionsSchema = z
  .object({
    refIncludesQuery: z.boolean().default(false),
    k: z.union([z.number().int().positive(), z.enum(['max_bin_count', 'all'])]).default('max_bin_count'),
    distance: KnnDistanceSchema.default('euclidean'),
    recallAt: z.array(z.number().int().positive()).default([1, 2, 4, 8]),
  })
  .strict();
export type RetrievalOptions = z.input<typeof RetrievalOptionsSchema>;

export interface RetrievalInput extends RetrievalOptions {
  query: EmbeddingMatrix;
  queryLabels: ArrayLike<number>;
  /** Defaults to the query set, with refIncludesQuery true (as PML's get_accuracy does). */
  reference?: EmbeddingMatrix;
  referenceLabels?: ArrayLike<number>;
  /** Progress of the neighbour search, in queries done (see knn). */
  onProgress?: KnnOptions['onProgress'];
}

export const PML_METRICS = [
  'precision_at_1',
  'r_precision',
  'mean_average_precision_at_r',
  'mean_average_precision',
  'mean_reciprocal_rank',
] as const;

/** Metric name to value: the five PML metrics and one `recall_at_K` per requested K. */
export const RetrievalScoresSchema = z
  .object(
    Object.fromEntries(PML_METRICS.map((name) => [name, JsonNumberSchema])) as Record<
      (typeof PML_METRICS)[number],
      typeof JsonNumberSchema
    >,
  )
  .catchall(JsonNumberSchema);
export type RetrievalScores = z.infer<typeof RetrievalScoresSchema>;

export const ClassRetrievalScoresSchema = z.object({
  label: z.number().int(),
  /** Queries of this class that were scored. */
  queries: z.number().int().nonnegative(),
  /** R: same-class reference items for each of these queries. */
  relevant: z.number().int().nonnegative(),
  scores: RetrievalScoresSchema,
});
export type ClassRetrievalScores = z.infer<typeof ClassRetrievalScoresSchema>;

export const RetrievalMetricsSchema = z.object({
  /** The neighbours used by the PML metrics. */
  k: z.number().int().positive(),
  /** Scored queries (all queries minus lone ones). */
  queries: z.number().int().nonnegative(),
  loneLabels: z.array(z.number().int()),
  overall: RetrievalScoresSchema,
  classAveraged: RetrievalScoresSchema,
  /** One entry per scored class, by increasing label. */
  perClass: z.array(ClassRetrievalScoresSchema),
  /** Why some numbers may not mean what their names say (e.g. k below the largest class). */
  warnings: z.array(z.string()),
});
export type RetrievalMetrics = z.infer<typeof RetrievalMetricsSchema>;

export function retrievalMetrics(input: RetrievalInput): RetrievalMetrics {
  const { query, queryLabels } = input;
  const sameSource = input.reference === undefined;
  const reference = input.reference ?? query;
  const referenceLabels = input.referenceLabels ?? (sameSource ? queryLabels : undefined);
  if (referenceLabels === undefined) throw new Error('referenceLabels is required with a reference set');
  const options = RetrievalOptionsSchema.parse({
    refIncludesQuery: input.refIncludesQuery ?? sameSource,
    k: input.k,
    distance: input.distance,
    recallAt: input.recallAt,
  });
  checkLabels(queryLabels, query.rows, 'queryLabels');
  checkLabels(referenceLabels, reference.rows, 'referenceLabels');
  const selfCount = options.refIncludesQuery ? 1 : 0;

  const referenceCounts = countLabels(referenceLabels);
  const relevantFor = (label: number) => (referenceCounts.get(label) ?? 0) - selfCount;
  const queryClasses = [...new Set(Array.from(queryLabels))].sort((a, b) => a - b);
  const loneLabels = queryClasses.filter((label) => relevantFor(label) <= 0);
  const maxBinCount = queryClasses.reduce((max, label) => Math.max(max, relevantFor(label)), 0);
  const available = reference.rows - selfCount;
  const k = resolveK(options.k, maxBinCount, available);
  const warnings =
    k < maxBinCount
      ? [`k=${k} is below the largest class (${maxBinCount}): r_precision and MAP@R are truncated at k`]
      : [];
  const recallAt = [...new Set(options.recallAt)].sort((a, b) => a - b);
  const depth = Math.min(available, Math.max(k, ...recallAt));

  const neighbours = knn({
    query,
    reference,
    k: depth,
    distance: options.distance,
    excludeSelf: options.refIncludesQuery,
    onProgress: input.onProgress,
  });
  const metricNames = [...PML_METRICS, ...recallAt.map((K) => `recall_at_${K}` as const)];
  const sums = new Map<number, { queries: number; totals: Float64Array }>();
  const perQuery = new Float64Array(metricNames.length);
  const hits = new Uint8Array(neighbours.k);
  for (let q = 0; q < query.rows; q++) {
    const label = queryLabels[q];
    const relevant = relevantFor(label);
    if (relevant <= 0) continue;
    for (let n = 0; n < neighbours.k; n++)
      hits[n] = referenceLabels[neighbours.indices[q * neighbours.k + n]] === label ? 1 : 0;
    scoreQuery(hits, neighbours.k, k, relevant, recallAt, perQuery);
    const entry = sums.get(label) ?? { queries: 0, totals: new Float64Array(metricNames.length) };
    entry.queries++;
    for (let m = 0; m < perQuery.length; m++) entry.totals[m] += perQuery[m];
    sums.set(label, entry);
  }

  const perClass = [...sums.entries()]
    .sort(([a], [b]) => a - b)
    .map(([label, { queries, totals }]) => ({
      label,
      queries,
      relevant: relevantFor(label),
      scores: toScores(
        metricNames,
        totals.map((total) => total / queries),
      ),
    }));
  return {
    k,
    queries: perClass.reduce((n, c) => n + c.queries, 0),
    loneLabels,
    ...averages(perClass, metricNames),
    perClass,
    warnings,
  };
}

/** PML's determine_k: the largest R, every reference, or a number as given; never more than exist. */
function resolveK(choice: number | 'max_bin_count' | 'all', maxBinCount: number, available: number): number {
  const wanted = choice === 'max_bin_count' ? maxBinCount : choice === 'all' ? available : choice;
  return Math.min(wanted, available);
}

function toScores(names: readonly string[], values: ArrayLike<number>): RetrievalScores {
  return Object.fromEntries(names.map((name, m) => [name, values[m]])) as RetrievalScores;
}

/** The query-weighted mean (PML's default) and the mean of class means (PML's avg_of_avgs). */
function averages(perClass: ClassRetrievalScores[], names: readonly string[]) {
  const queries = perClass.reduce((n, c) => n + c.queries, 0);
  const overall = names.map(
    (name) => perClass.reduce((s, c) => s + c.scores[name] * c.queries, 0) / Math.max(1, queries),
  );
  const classAveraged = names.map(
    (name) => perClass.reduce((s, c) => s + c.scores[name], 0) / Math.max(1, perClass.length),
  );
  return { overall: toScores(names, overall), classAveraged: toScores(names, classAveraged) };
}

/**
 * Scores one query from its neighbour hits (1 = same class), nearest first. `out` receives the PML
 * metrics in PML_METRICS order, then recall at each K.
 */
function scoreQuery(
  hits: Uint8Array,
  depth: number,
  k: number,
  relevant: number,
  recallAt: readonly number[],
  out: Float64Array,
): void {
  const window = Math.min(relevant, k);
  let correct = 0;
  let correctInWindow = 0;
  let precisionSum = 0;
  let precisionSumInWindow = 0;
  let firstHit = 0;
  for (let n = 0; n < k; n++) {
    if (!hits[n]) continue;
    correct++;
    precisionSum += correct / (n + 1);
    if (n < window) {
      correctInWindow++;
      precisionSumInWindow += correct / (n + 1);
    }
    if (firstHit === 0) firstHit = n + 1;
  }
  out[0] = k > 0 ? hits[0] : 0;
  out[1] = window > 0 ? correctInWindow / window : 0;
  out[2] = window > 0 ? precisionSumInWindow / window : 0;
  out[3] = precisionSum / Math.max(1, correct);
  out[4] = firstHit > 0 ? 1 / firstHit : 0;
  recallAt.forEach((K, i) => {
    let found = 0;
    for (let n = 0; n < Math.min(K, depth); n++) found |= hits[n];
    out[PML_METRICS.length + i] = found;
  });
}

function countLabels(labels: ArrayLike<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  return counts;
}
