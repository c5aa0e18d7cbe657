import type { EmbedTexts } from '../stages/retrieval-eval.ts';
import type { SimilarityData } from './benchmarks.ts';
import { correlationMetrics, embeddingScorer } from './evaluate.ts';

/**
 * What a mix monitors during training besides WordNet retrieval: Spearman x 100 on the tenth of STS-B
 * train held out for validation (never on STS-B dev, which is kept for the reported figure).
 */
export async function similarityValidation(
  embed: EmbedTexts,
  dim: number,
  data: SimilarityData,
): Promise<Record<string, number>> {
  if (!data.sts) return {};
  const scores = await embeddingScorer(embed, dim)(data.sts.validation);
  return { stsb_validation_spearman: correlationMetrics(scores, data.sts.validation).spearman };
}
