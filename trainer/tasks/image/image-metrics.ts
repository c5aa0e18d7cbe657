import { z } from 'zod';
import { normalizePixels } from '../../../shared/image/model-input.ts';
import { JsonNumberSchema } from '../../../shared/validation.ts';
import { clusteringMetrics } from '../../eval/clustering.ts';
import { embeddingMatrix } from '../../eval/matrix.ts';
import { ClassRetrievalScoresSchema, retrievalMetrics } from '../../eval/retrieval.ts';
import { countProgress, type ProgressReporter, timedStep } from '../../train/progress.ts';
import { type CnnWeights, embedImages } from './cnn.ts';
import type { ImageSet } from './image-set.ts';

/**
 * What every image evaluation reports, on one set that is its own gallery (each query searches every
 * other item, PML's `get_accuracy(query, query_labels)` with ref_includes_query): P@1, R-Precision and
 * MAP@R by cosine over all k <= max_bin_count neighbours (PML's exact default), plus NMI and AMI of a
 * seeded k-means with as many clusters as classes (PML's clustering metrics, scikit-learn's formulas).
 */
export const HEADLINE_METRICS = [
  'precision_at_1',
  'r_precision',
  'mean_average_precision_at_r',
  'nmi',
  'ami',
] as const;

/** How tables and docs name the headline metrics. */
export const HEADLINE_LABELS: Record<(typeof HEADLINE_METRICS)[number], string> = {
  precision_at_1: 'P@1',
  r_precision: 'R-Precision',
  mean_average_precision_at_r: 'MAP@R',
  nmi: 'NMI',
  ami: 'AMI',
};

export const ImageMetricsSchema = z.object({
  /** The five headline metrics plus PML's MAP and MRR, averaged over queries. */
  overall: z.record(z.string(), JsonNumberSchema),
  perClass: z.array(ClassRetrievalScoresSchema),
  items: z.number().int().nonnegative(),
});
export type ImageMetrics = z.infer<typeof ImageMetricsSchema>;

/** Progress lines of an evaluation, off unless a reporter is given (validation during training stays quiet). */
type Log = Pick<ProgressReporter, 'log'>;
const QUIET: Log = { log: () => undefined };

export function imageMetrics(
  embeddings: Float32Array,
  dim: number,
  labels: Int32Array,
  seed: number,
  progress: Log = QUIET,
): ImageMetrics {
  const matrix = embeddingMatrix(embeddings, dim);
  const retrieval = retrievalMetrics({
    query: matrix,
    queryLabels: labels,
    distance: 'cosine',
    recallAt: [],
    onProgress: countProgress(progress, 'nearest neighbours: queries', matrix.rows),
  });
  const { nmi, ami } = timedStep(progress, 'k-means', () => clusteringMetrics(matrix, labels, seed));
  return { overall: { ...retrieval.overall, nmi, ami }, perClass: retrieval.perClass, items: labels.length };
}

/** The headline numbers kept in metrics files, manifests and validation logs. */
export function headline(metrics: ImageMetrics): Record<string, number> {
  return Object.fromEntries(HEADLINE_METRICS.map((name) => [name, metrics.overall[name]]));
}

/** Per headline metric: the trained model minus the best of the baselines (> 0 beats them all). */
export function marginOverBaselines(
  trained: Record<string, number>,
  baselines: readonly Record<string, number>[],
): Record<string, number> {
  return Object.fromEntries(
    HEADLINE_METRICS.map((name) => [name, trained[name] - Math.max(...baselines.map((b) => b[name]))]),
  );
}

/** TF.js embeddings (inference mode) of every image of a set, row-major. */
export function embedSet(
  weights: CnnWeights,
  set: ImageSet,
  normalization: { mean: number; std: number },
): Float32Array {
  return embedImages(weights, normalizePixels(set.pixels, normalization));
}

export function evaluateCnn(
  weights: CnnWeights,
  set: ImageSet,
  normalization: { mean: number; std: number },
  seed: number,
): ImageMetrics {
  return imageMetrics(embedSet(weights, set, normalization), weights.shape.embeddingDim, set.labels, seed);
}

/**
 * The raw-pixel baseline: each image's pixels as a vector, compared by cosine (the same ranking as
 * Euclidean distance between L2-normalised pixel vectors).
 */
export function evaluateRawPixels(set: ImageSet, seed: number, progress: Log = QUIET): ImageMetrics {
  return imageMetrics(Float32Array.from(set.pixels), set.height * set.width, set.labels, seed, progress);
}
