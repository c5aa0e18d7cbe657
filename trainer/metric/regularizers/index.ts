import type { z } from 'zod';
import { createLpRegularizer, type EmbeddingRegularizer, LpRegularizerConfigSchema } from './lp.ts';

export type { EmbeddingRegularizer } from './lp.ts';

/** Regularisers a loss can add on its embeddings; Lp is the one PML documents for embeddings. */
export const EmbeddingRegularizerConfigSchema = LpRegularizerConfigSchema;
export type EmbeddingRegularizerConfig = z.infer<typeof EmbeddingRegularizerConfigSchema>;

export function createEmbeddingRegularizer(config: EmbeddingRegularizerConfig): EmbeddingRegularizer {
  return createLpRegularizer(config);
}
