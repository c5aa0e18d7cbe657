import { initTextEncoder, mulberry32, type TextEncoderWeights } from '../models/text-encoder.ts';

/** Texts that stress the featurizer: empty, emoji, CJK, mixed scripts, and one far longer than the rest. */
export const PARITY_TEXTS = [
  'red running shoes',
  '',
  '🎉🎉 party time 🥳',
  '東京の天気は晴れです',
  'Ünïcödé naïve café — déjà vu',
  'a b c',
  'The quick brown fox jumps over the lazy dog. '.repeat(12),
  'x',
];

/**
 * Seeded weights that look trained rather than freshly initialised: row norms spread over two orders of
 * magnitude (frequent and rare features), a few outlier components, and a non-zero bias.
 */
export function trainedLikeWeights(
  buckets: number,
  embeddingDim: number,
  outputDim: number,
  seed: number,
): TextEncoderWeights {
  const weights = initTextEncoder(buckets, { embeddingDim, outputDim }, seed);
  const random = mulberry32(seed + 1);
  for (let row = 0; row < buckets; row++) {
    const rowScale = 10 ** (random() * 2 - 1);
    for (let k = 0; k < embeddingDim; k++) {
      const outlier = random() < 0.01 ? 4 : 1;
      weights.table[row * embeddingDim + k] *= rowScale * outlier;
    }
  }
  for (let k = 0; k < outputDim; k++) weights.bias[k] = (random() * 2 - 1) * 0.05;
  return weights;
}
