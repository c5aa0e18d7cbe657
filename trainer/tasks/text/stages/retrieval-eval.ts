import type { TextEmbedder } from '../../../../shared/onnx/text-embedder.ts';
import { embeddingMatrix } from '../../../eval/matrix.ts';
import { type RetrievalMetrics, retrievalMetrics } from '../../../eval/retrieval.ts';
import { countProgress, type ProgressReporter } from '../../../train/progress.ts';

export interface RetrievalSet {
  queries: string[];
  queryLabels: Int32Array;
  references: string[];
  referenceLabels: Int32Array;
}

/** Embeds texts into one row-major array of `dim` floats per text. */
export type EmbedTexts = (texts: readonly string[]) => Promise<Float32Array>;

const CHUNK = 512;

/** EmbedTexts over an ONNX embedder (one array per text) laid out row-major. */
export function embedTextsWith(embedder: TextEmbedder): EmbedTexts {
  return async (texts) => {
    const rows = await embedder.embed(texts);
    const out = new Float32Array(rows.length * embedder.dim);
    rows.forEach((row, i) => out.set(row, i * embedder.dim));
    return out;
  };
}

export async function embedAll(
  embed: EmbedTexts,
  texts: readonly string[],
  dim: number,
): Promise<Float32Array> {
  const out = new Float32Array(texts.length * dim);
  for (let start = 0; start < texts.length; start += CHUNK) {
    out.set(await embed(texts.slice(start, start + CHUNK)), start * dim);
  }
  return out;
}

/**
 * Query -> reference retrieval with cosine distance and Recall@1/5/10, as reported for text models. With
 * `progress`, the neighbour search logs its queries done (thousands of queries take seconds).
 */
export async function evaluateTextRetrieval(
  embed: EmbedTexts,
  set: RetrievalSet,
  dim: number,
  progress?: Pick<ProgressReporter, 'log'>,
): Promise<RetrievalMetrics> {
  const query = embeddingMatrix(await embedAll(embed, set.queries, dim), dim);
  const reference = embeddingMatrix(await embedAll(embed, set.references, dim), dim);
  return retrievalMetrics({
    query,
    queryLabels: set.queryLabels,
    reference,
    referenceLabels: set.referenceLabels,
    refIncludesQuery: false,
    distance: 'cosine',
    recallAt: [1, 5, 10],
    onProgress: progress && countProgress(progress, 'nearest neighbours: queries', set.queries.length),
  });
}

/** The headline numbers kept in metrics files and manifests. */
export function headlineMetrics(metrics: RetrievalMetrics): Record<string, number> {
  return { ...metrics.overall, queries: metrics.queries, k: metrics.k };
}
