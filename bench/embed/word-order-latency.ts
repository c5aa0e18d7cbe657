/**
 * Edge latency of the word-order text encoder against the bag of n-grams at the served size
 * (`configs/text-sts-best.json`'s shape: 2^15 buckets x 224 -> 352), both int8 through the edge embedder
 * (onnxruntime-web WASM, 1 thread), end to end (featurize, sub-batch, run) on WordNet glosses and lemmas.
 * Latency does not depend on trained values, so both use seeded weights.
 *
 *   nice -n 5 npx tsx bench/embed/word-order-latency.ts [--rank 64] [--width 3]
 */
import { parseArgs } from 'node:util';
import { createTextFeaturizer } from '../../shared/featurizer/text.ts';
import { createOnnxTextEmbedder } from '../../shared/onnx/text-embedder.ts';
import { initTextEncoder, type TextEncoderShape } from '../../trainer/encoder/text-encoder.ts';
import { exportTextEncoderOnnx, TEXT_ENCODER_IO } from '../../trainer/export/onnx-text-encoder.ts';
import { nodeOrt } from '../../trainer/util/ort.ts';
import { quantile, timeRounds } from '../stats.ts';
import { glossesAndLemmas } from '../wordnet-texts.ts';

const { values } = parseArgs({
  options: { rank: { type: 'string', default: '64' }, width: { type: 'string', default: '3' } },
});
const BUCKETS = 1 << 15;
const featurizerConfig = { buckets: BUCKETS, wordBigrams: false };
const bagShape: TextEncoderShape = { embeddingDim: 224, outputDim: 352 };
const wordOrder = { kind: 'conv' as const, width: Number(values.width), rank: Number(values.rank) };
const texts = glossesAndLemmas(1024, 8);
const ort = nodeOrt();

async function open(shape: TextEncoderShape, layout?: 'tokens') {
  const weights = initTextEncoder(BUCKETS, shape, 1);
  const model = exportTextEncoderOnnx(weights, { precision: 'int8' });
  const featurizer = createTextFeaturizer({ ...featurizerConfig, ...(layout ? { layout } : {}) });
  const embedder = await createOnnxTextEmbedder({ ort, model, featurizer, io: TEXT_ENCODER_IO, dim: 352 });
  return { embedder, bytes: model.length };
}

const bag = await open(bagShape);
const ordered = await open({ ...bagShape, wordOrder }, 'tokens');
console.log(
  `int8 file: bag ${bag.bytes} bytes, word order (conv ${wordOrder.width} x ${wordOrder.rank}) ${ordered.bytes} bytes`,
);
for (const size of [1, 32]) {
  const batchAt = (round: number) => {
    const start = (round * size) % (texts.length - size);
    return texts.slice(start, start + size);
  };
  const samples = await timeRounds(
    {
      bag: (round: number) => bag.embedder.embed(batchAt(round)),
      wordOrder: (round: number) => ordered.embedder.embed(batchAt(round)),
    },
    size === 1 ? { warmup: 20, repeats: 400 } : { warmup: 5, repeats: 80 },
  );
  for (const [name, ms] of Object.entries(samples)) {
    const p50 = quantile(ms, 0.5).toFixed(3);
    const p90 = quantile(ms, 0.9).toFixed(3);
    console.log(`batch ${size} ${name}: median ${p50} ms, p90 ${p90} ms (${ms.length} runs, end to end)`);
  }
}
await bag.embedder.release();
await ordered.embedder.release();
