import { z } from 'zod';
import type { EmbedTexts } from '../stages/retrieval-eval.ts';
import { type SimilarityData, similarityBenchmarks } from './benchmarks.ts';
import { BenchmarkResultSchema, embeddingScorer, evaluateBenchmark } from './evaluate.ts';

/** Per benchmark (stsb_dev, paws_heldout): the model's metrics and both TF-IDF baselines'. */
export const SimilarityEvaluationSchema = z.record(z.string(), z.record(z.string(), BenchmarkResultSchema));
export type SimilarityEvaluation = z.infer<typeof SimilarityEvaluationSchema>;

/** Scores every available benchmark with `embed`, and the TF-IDF baselines in the same call unless told not to. */
export async function evaluateSimilarity(
  embed: EmbedTexts,
  dim: number,
  data: SimilarityData,
  options: { baselines: boolean } = { baselines: true },
): Promise<SimilarityEvaluation> {
  const result: SimilarityEvaluation = {};
  for (const benchmark of similarityBenchmarks(data)) {
    result[benchmark.name] = await evaluateBenchmark(
      benchmark,
      embeddingScorer(embed, dim),
      options.baselines,
    );
  }
  return result;
}

/** Flat `<benchmark>_<metric>` figures of one scorer (model or a baseline), for manifests and tables. */
export function flatSimilarityMetrics(
  evaluation: SimilarityEvaluation,
  scorer = 'model',
): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [benchmark, scorers] of Object.entries(evaluation)) {
    for (const [metric, value] of Object.entries(scorers[scorer] ?? {}))
      flat[`${benchmark}_${metric}`] = value;
  }
  return flat;
}
