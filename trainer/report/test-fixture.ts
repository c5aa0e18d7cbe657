import { gaussian, mulberry32 } from '../../shared/random.ts';
import { l2Normalize } from '../../shared/vector.ts';
import { clusteringMetrics } from '../eval/clustering.ts';
import { embeddingMatrix } from '../eval/matrix.ts';
import { retrievalMetrics } from '../eval/retrieval.ts';
import { evaluateVerification, samplePairScores } from '../pipeline/verification-eval.ts';
import type { ReportDataInput } from './schema.ts';

/** A 1x1 PNG, as a thumbnail for image-style items. */
const PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** Item texts that would run script if the report ever emitted them as markup. */
export const HOSTILE_TEXTS = [
  `<img src=x onerror="document.title='pwned'">`,
  `</script><script>window.pwned = true</script>`,
];

/**
 * Report data for a small synthetic test set: `classes` Gaussian blobs in 16-D, one class much larger
 * (imbalance), hostile texts and class names, metrics computed for real from the embeddings, an int8
 * copy of the embeddings for the quantisation table and raw noise as a baseline.
 */
export function syntheticReportData(classes = 5, perClass = 10, seed = 1): ReportDataInput {
  const random = mulberry32(seed);
  const dim = 16;
  const centres = Array.from({ length: classes }, () =>
    Array.from({ length: dim }, () => 0.6 * gaussian(random)),
  );
  const labels: number[] = [];
  const data: number[] = [];
  centres.forEach((centre, label) => {
    const size = label === 0 ? 3 * perClass : perClass;
    for (let i = 0; i < size; i++) {
      labels.push(label);
      data.push(...centre.map((c) => c + gaussian(random)));
    }
  });
  const embeddings = embeddingMatrix(data, dim);
  const texts = labels.map((label, i) => HOSTILE_TEXTS[i] ?? `item ${i} of class ${label}`);
  const int8 = embeddingMatrix(quantise(embeddings.data), dim);
  const noise = embeddingMatrix(
    Float32Array.from(data, () => gaussian(random)),
    dim,
  );
  const overall = (x: typeof embeddings) => ({
    ...retrievalMetrics({ query: x, queryLabels: labels }).overall,
    ...pick(clusteringMetrics(x, labels, seed), ['nmi', 'ami']),
  });
  const metrics = retrievalMetrics({ query: embeddings, queryLabels: labels });
  return {
    title: 'Synthetic <blobs> & friends',
    runId: 'run-0001',
    createdAt: '2025-01-02T03:04:05.000Z',
    config: { loss: 'contrastive', note: '<script>alert(1)</script>', steps: 40 },
    curves: {
      loss: Array.from({ length: 40 }, (_, step) => ({ step, value: 1 / (1 + step) })),
      validation: { precision_at_1: [0, 10, 20, 30].map((step) => ({ step, value: 0.5 + step / 100 })) },
    },
    test: {
      embeddings: { dim, data: embeddings.data },
      labels: Int32Array.from(labels),
      texts,
      thumbnails: labels.map((_, i) => (i % 3 === 0 ? PIXEL : null)),
    },
    classNames: Object.fromEntries(
      centres.map((_, label) => [String(label), label === 1 ? '<b>bold</b>' : `class ${label}`]),
    ),
    metrics: { overall: overall(embeddings), perClass: metrics.perClass },
    baselines: [{ name: 'random vectors', metrics: overall(noise) }],
    quantization: { fp32: overall(embeddings), int8: overall(int8) },
    verification: evaluateVerification({
      validation: classPairs(noise.data, dim, labels, seed),
      test: classPairs(embeddings.data, dim, labels, seed + 1),
      targetFar: 0.1,
      calibratedOn: 'random <vectors> as validation pairs',
    }),
  };
}

/** Each item with 20 others at random; same class = genuine. */
function classPairs(data: Float32Array, dim: number, labels: number[], seed: number) {
  const unit = Float32Array.from(data);
  for (let i = 0; i < labels.length; i++)
    unit.set(l2Normalize(data.subarray(i * dim, (i + 1) * dim)), i * dim);
  return samplePairScores({
    a: unit,
    b: unit,
    dim,
    perRow: 20,
    random: mulberry32(seed),
    diagonal: false,
    judge: (i, j) => labels[i] === labels[j],
  });
}

/** Symmetric int8 quantisation (one scale for all values) and back: the rounding an int8 model adds. */
function quantise(values: Float32Array): Float32Array {
  const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127;
  return values.map((v) => Math.round(v / scale) * scale);
}

function pick<T extends object, K extends keyof T>(object: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, object[k]])) as Pick<T, K>;
}

/** Three tight, far-apart clusters of 20 points in 8-D. */
export function separatedClusters() {
  const random = mulberry32(5);
  const data: number[] = [];
  const labels: number[] = [];
  for (let label = 0; label < 3; label++) {
    for (let i = 0; i < 20; i++) {
      for (let t = 0; t < 8; t++) data.push((t === label ? 20 : 0) + gaussian(random));
      labels.push(label);
    }
  }
  return { x: embeddingMatrix(data, 8), labels };
}

/** Fraction of points whose nearest other point on the 2-D map has their label. */
export function mapNeighbourAgreement(map: Float64Array, labels: number[]): number {
  let agree = 0;
  labels.forEach((label, i) => {
    let nearest = -1;
    let best = Number.POSITIVE_INFINITY;
    labels.forEach((_, j) => {
      const d = (map[2 * i] - map[2 * j]) ** 2 + (map[2 * i + 1] - map[2 * j + 1]) ** 2;
      if (j !== i && d < best) [nearest, best] = [j, d];
    });
    if (labels[nearest] === label) agree++;
  });
  return agree / labels.length;
}
