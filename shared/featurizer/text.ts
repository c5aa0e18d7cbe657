import { z } from 'zod';
import { murmur3 } from './murmur3.ts';
import { tokenize } from './tokenize.ts';

/** Bumped whenever the mapping from text to (ids, weights) changes for any input. */
export const TEXT_FEATURIZER_VERSION = 1;

export const TextFeaturizerConfigSchema = z
  .object({
    kind: z.literal('hashed-ngrams').default('hashed-ngrams'),
    version: z.literal(TEXT_FEATURIZER_VERSION).default(TEXT_FEATURIZER_VERSION),
    buckets: z
      .number()
      .int()
      .min(16)
      .max(1 << 24)
      .default(1 << 17),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    wordUnigrams: z.boolean().default(true),
    wordBigrams: z.boolean().default(true),
    charNgrams: z
      .object({ min: z.number().int().min(1).max(8), max: z.number().int().min(1).max(8) })
      .refine((r) => r.min <= r.max, 'charNgrams.min must be <= charNgrams.max')
      .nullable()
      .default({ min: 3, max: 5 }),
    maxTokens: z.number().int().min(1).max(4096).default(128),
    maxTokenChars: z.number().int().min(1).max(256).default(48),
    /** Relative weight of each feature family in the pooled mean. */
    weights: z
      .object({
        word: z.number().nonnegative().default(1),
        bigram: z.number().nonnegative().default(1),
        char: z.number().nonnegative().default(1),
      })
      .default({ word: 1, bigram: 1, char: 1 }),
    /**
     * 'tokens' lays a batch out per token for encoders that see word order: `featurizeBatch` gives
     * [batch, tokens, slots] (each token's word, char and following-bigram features, merged within the
     * token only). The weighted mean over all its slots is the bag's, so bag consumers read it unchanged.
     * Absent: the bag layout, byte for byte as before.
     */
    layout: z.literal('tokens').optional(),
  })
  .strict();

export type TextFeaturizerConfig = z.infer<typeof TextFeaturizerConfigSchema>;

/** One text's features: unique bucket ids with summed weights, in order of first occurrence. */
export interface TextFeatures {
  ids: Int32Array;
  weights: Float32Array;
}

/**
 * A padded batch laid out as the ONNX model consumes it: `ids` and `weights` are both [batch, length].
 * With `tokens` (the 'tokens' layout) they are [batch, tokens, length / tokens]: token t of row b holds
 * slots [t * slots, (t + 1) * slots) of the row; padding slots have weight 0.
 */
export interface FeatureBatch {
  ids: Int32Array;
  weights: Float32Array;
  batch: number;
  length: number;
  tokens?: number;
}

export interface NamedFeature {
  feature: string;
  id: number;
  weight: number;
}

export interface TextFeaturizer {
  readonly config: TextFeaturizerConfig;
  featurize(text: string): TextFeatures;
  featurizeBatch(texts: readonly string[]): FeatureBatch;
  /** The same features with their readable names, for explanations (several names may share an id). */
  explain(text: string): NamedFeature[];
}

/** Unique bucket ids in order of first occurrence, each with its weights summed. */
function mergedFeatures() {
  const slotOf = new Map<number, number>();
  const ids: number[] = [];
  const weights: number[] = [];
  return {
    add(id: number, weight: number): void {
      const slot = slotOf.get(id);
      if (slot === undefined) {
        slotOf.set(id, ids.length);
        ids.push(id);
        weights.push(weight);
      } else {
        weights[slot] += weight;
      }
    },
    features: (): TextFeatures => ({ ids: Int32Array.from(ids), weights: Float32Array.from(weights) }),
  };
}

// Prefixes keep families apart in hash space: the word "the" and the char gram "the" are different features.
const WORD = 'w:';
const BIGRAM = 'b:';
const CHAR = 'c:';

export function createTextFeaturizer(input: Partial<TextFeaturizerConfig> = {}): TextFeaturizer {
  const config = TextFeaturizerConfigSchema.parse(input);
  const encoder = new TextEncoder();
  let scratch = new Uint8Array(256);

  function bucketOf(feature: string): number {
    // Worst case 3 bytes per UTF-16 unit.
    if (scratch.length < feature.length * 3) scratch = new Uint8Array(feature.length * 3);
    const { written } = encoder.encodeInto(feature, scratch);
    return murmur3(scratch, written, config.seed) % config.buckets;
  }

  /** Every feature of the text in order; `token` is the index of the token it belongs to. */
  function visit(text: string, emit: (feature: string, weight: number, token: number) => void): void {
    const tokens = tokenize(text, config.maxTokens, config.maxTokenChars);
    const { word, bigram, char } = config.weights;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t];
      const emitHere = (feature: string, weight: number) => emit(feature, weight, t);
      if (config.wordUnigrams && word > 0) emitHere(WORD + token, word);
      if (config.wordBigrams && bigram > 0 && t + 1 < tokens.length) {
        emitHere(`${BIGRAM}${token} ${tokens[t + 1]}`, bigram);
      }
      if (config.charNgrams && char > 0) {
        const points = Array.from(`<${token}>`);
        const maxN = Math.min(config.charNgrams.max, points.length);
        for (let n = config.charNgrams.min; n <= maxN; n++) {
          for (let start = 0; start + n <= points.length; start++) {
            emitHere(CHAR + points.slice(start, start + n).join(''), char);
          }
        }
      }
    }
  }

  function featurize(text: string): TextFeatures {
    const merged = mergedFeatures();
    visit(text, (feature, weight) => merged.add(bucketOf(feature), weight));
    return merged.features();
  }

  /** Per token: unique bucket ids with summed weights, merged within the token only. */
  function featurizeTokens(text: string): TextFeatures[] {
    const tokens: ReturnType<typeof mergedFeatures>[] = [];
    visit(text, (feature, weight, token) => {
      tokens[token] ??= mergedFeatures();
      tokens[token].add(bucketOf(feature), weight);
    });
    // A token with no features (all families off for it) still keeps its position.
    return Array.from(tokens, (t) => (t ?? mergedFeatures()).features());
  }

  function featurizeTokenBatch(texts: readonly string[]): FeatureBatch {
    const each = texts.map(featurizeTokens);
    // At least one token of one slot, as the bag layout keeps one slot for an empty text.
    const tokens = Math.max(1, ...each.map((t) => t.length));
    const slots = Math.max(1, ...each.flatMap((t) => t.map((f) => f.ids.length)));
    const ids = new Int32Array(texts.length * tokens * slots);
    const weights = new Float32Array(texts.length * tokens * slots);
    each.forEach((row, b) => {
      row.forEach((f, t) => {
        ids.set(f.ids, (b * tokens + t) * slots);
        weights.set(f.weights, (b * tokens + t) * slots);
      });
    });
    return { ids, weights, batch: texts.length, length: tokens * slots, tokens };
  }

  function featurizeBatch(texts: readonly string[]): FeatureBatch {
    if (config.layout === 'tokens') return featurizeTokenBatch(texts);
    const each = texts.map(featurize);
    // At least one slot so that an empty text still gives a well-formed [batch, 1] input (weight 0).
    const length = Math.max(1, ...each.map((f) => f.ids.length));
    const ids = new Int32Array(texts.length * length);
    const weights = new Float32Array(texts.length * length);
    each.forEach((f, row) => {
      ids.set(f.ids, row * length);
      weights.set(f.weights, row * length);
    });
    return { ids, weights, batch: texts.length, length };
  }

  function explain(text: string): NamedFeature[] {
    const named: NamedFeature[] = [];
    const slotOf = new Map<string, number>();
    visit(text, (feature, weight) => {
      const slot = slotOf.get(feature);
      if (slot === undefined) {
        slotOf.set(feature, named.length);
        named.push({ feature, id: bucketOf(feature), weight });
      } else {
        named[slot].weight += weight;
      }
    });
    return named;
  }

  return { config, featurize, featurizeBatch, explain };
}
