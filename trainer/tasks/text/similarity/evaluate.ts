import { z } from 'zod';
import { JsonNumberSchema } from '../../../../shared/validation.ts';
import { pearson, spearman } from '../../../eval/correlation.ts';
import { rocAuc } from '../../../eval/pairs.ts';
import { type EmbedTexts, embedAll } from '../stages/retrieval-eval.ts';
import type { ScoredPair } from './scored-pair.ts';
import { fitTfidf, sparseCosine, TFIDF_BASELINES, type TfidfOptions } from './tfidf.ts';

/** How pairs are scored: one similarity per pair, higher = more alike. */
export type PairScorer = (pairs: readonly ScoredPair[]) => Promise<Float64Array>;

/** Cosine of each pair's embeddings (unit vectors, so the dot product), each distinct text embedded once. */
export function embeddingScorer(embed: EmbedTexts, dim: number): PairScorer {
  return async (pairs) => {
    const texts = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
    const rowOf = new Map(texts.map((text, i) => [text, i]));
    const vectors = await embedAll(embed, texts, dim);
    return Float64Array.from(pairs, (pair) => {
      const a = rowOf.get(pair.a)! * dim;
      const b = rowOf.get(pair.b)! * dim;
      let sum = 0;
      for (let k = 0; k < dim; k++) sum += vectors[a + k] * vectors[b + k];
      return sum;
    });
  };
}

/** TF-IDF cosine with the IDF fitted on `fitTexts` (the training sentences). */
export function tfidfScorer(fitTexts: readonly string[], options: TfidfOptions): PairScorer {
  const model = fitTfidf(fitTexts, options);
  return async (pairs) =>
    Float64Array.from(pairs, (p) => sparseCosine(model.transform(p.a), model.transform(p.b)));
}

/** STS evaluation as SentEval and sentence-transformers report it: Spearman (and Pearson) x 100. */
export function correlationMetrics(scores: ArrayLike<number>, pairs: readonly ScoredPair[]) {
  const gold = pairs.map((p) => p.score);
  return { spearman: 100 * spearman(scores, gold), pearson: 100 * pearson(scores, gold) };
}

/** Paraphrase detection without a threshold: ROC-AUC of the scores against the 0/1 labels. */
export function paraphraseMetrics(scores: ArrayLike<number>, pairs: readonly ScoredPair[]) {
  return {
    roc_auc: rocAuc(
      scores,
      pairs.map((p) => p.score),
    ),
  };
}

/** A benchmark: the pairs to score, how to read the scores, and the sentences its baselines fit on. */
export interface PairBenchmark {
  name: string;
  kind: 'graded' | 'paraphrase';
  pairs: readonly ScoredPair[];
  fitTexts: readonly string[];
}

export const BenchmarkResultSchema = z.record(z.string(), JsonNumberSchema);
export type BenchmarkResult = z.infer<typeof BenchmarkResultSchema>;

/**
 * The model's metrics and, unless `baselines` is false, both TF-IDF baselines computed on the same pairs
 * in the same run.
 */
export async function evaluateBenchmark(
  benchmark: PairBenchmark,
  model: PairScorer,
  baselines = true,
): Promise<Record<string, BenchmarkResult>> {
  const metricsOf = (scores: ArrayLike<number>) =>
    benchmark.kind === 'graded'
      ? correlationMetrics(scores, benchmark.pairs)
      : paraphraseMetrics(scores, benchmark.pairs);
  const result: Record<string, BenchmarkResult> = { model: metricsOf(await model(benchmark.pairs)) };
  if (!baselines) return result;
  for (const [name, options] of Object.entries(TFIDF_BASELINES)) {
    result[name] = metricsOf(await tfidfScorer(benchmark.fitTexts, options)(benchmark.pairs));
  }
  return result;
}

/** Both sentences of every pair, the documents a baseline's IDF is fitted on. */
export function sentencesOf(pairs: readonly ScoredPair[]): string[] {
  return pairs.flatMap((p) => [p.a, p.b]);
}
