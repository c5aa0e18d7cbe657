import { z } from 'zod';
import type { FeatureBatch, TextFeaturizer } from '../../../shared/featurizer/text.ts';
import { tokenize } from '../../../shared/featurizer/tokenize.ts';
import type { Random } from '../../../shared/random.ts';
import { strictConfig } from '../config.ts';

/**
 * Views of unlabeled text for self-supervised training: each view drops whole tokens (so word and bigram
 * features of a word vanish together), then drops individual hashed n-gram features. Two views of the
 * same text are a positive pair for the self_supervised loss.
 */
export const TextAugmentConfigSchema = strictConfig({
  token_dropout: z.number().min(0).max(0.9).default(0.1),
  feature_dropout: z.number().min(0).max(0.9).default(0.1),
});
export type TextAugmentConfig = z.infer<typeof TextAugmentConfigSchema>;

/** The featurizer's tokens, each dropped with probability `rate`, at least one kept, joined by spaces. */
export function dropTokens(text: string, featurizer: TextFeaturizer, rate: number, random: Random): string {
  const tokens = tokenize(text, featurizer.config.maxTokens, featurizer.config.maxTokenChars);
  if (tokens.length === 0) return text;
  const kept = tokens.filter(() => random.next() >= rate);
  return (kept.length > 0 ? kept : [tokens[random.int(tokens.length)]]).join(' ');
}

/** A copy of the batch with each feature's weight zeroed with probability `rate`, at least one kept per row. */
export function dropFeatures(batch: FeatureBatch, rate: number, random: Random): FeatureBatch {
  const weights = batch.weights.slice();
  for (let row = 0; row < batch.batch; row++) {
    const present: number[] = [];
    for (let slot = row * batch.length; slot < (row + 1) * batch.length; slot++)
      if (weights[slot] > 0) present.push(slot);
    const dropped = present.filter(() => random.next() < rate);
    if (dropped.length === present.length && present.length > 0)
      dropped.splice(random.int(dropped.length), 1);
    for (const slot of dropped) weights[slot] = 0;
  }
  return { ...batch, ids: batch.ids.slice(), weights };
}

/** Two independently augmented views of each text, as feature batches for the text encoder. */
export function textViews(
  texts: readonly string[],
  featurizer: TextFeaturizer,
  config: TextAugmentConfig,
  random: Random,
): [FeatureBatch, FeatureBatch] {
  const view = () =>
    dropFeatures(
      featurizer.featurizeBatch(
        texts.map((text) => dropTokens(text, featurizer, config.token_dropout, random)),
      ),
      config.feature_dropout,
      random,
    );
  return [view(), view()];
}
