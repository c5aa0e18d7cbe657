import {
  createTextFeaturizer,
  type FeatureBatch,
  type TextFeaturizer,
} from '../../shared/featurizer/text.ts';
import {
  EDGE_FP32,
  EDGE_INT8,
  type EmbedEngines,
  maxAbsDifference,
  NATIVE_FP32,
  NATIVE_INT8,
  openEmbedEngines,
  TFJS,
} from '../embed/engines.ts';
import { int8QualityRows } from '../embed/quality.ts';
import { findDefaultTextModel } from '../published.ts';
import type { Row } from '../results.ts';
import { rateRow, ratioRow, target, timingRow } from '../rows.ts';
import type { RunnableSection, SectionContext, SectionOutcome } from '../section.ts';
import { pairedRatios, type RepeatOptions, timeRounds } from '../stats.ts';
import { glossesAndLemmas } from '../wordnet-texts.ts';

const BATCH_SIZES = [1, 8, 32, 128] as const;
/** Rounds per batch size: enough runs for a stable p99 at small batches, a bounded time at large ones. */
const ROUNDS: Record<(typeof BATCH_SIZES)[number], RepeatOptions> = {
  1: { warmup: 20, repeats: 300 },
  8: { warmup: 10, repeats: 150 },
  32: { warmup: 5, repeats: 80 },
  128: { warmup: 3, repeats: 30 },
};
const TEXT_POOL = 1024;
const TEXT_SEED = 8;
/** The target: the edge embedder's int8 run within 2x of onnxruntime-node's at batch 32. */
const TARGET_BATCH = 32;
const MAX_EDGE_OVER_NATIVE = 2;
/** Issue 11's target: one short sentence embedded at the edge, end to end, at batch 1. */
const MAX_SENTENCE_MS = 0.5;

export const embedSection: RunnableSection = {
  name: 'embed',
  title: 'embed: texts per second and latency of the default text model',
  run: runEmbed,
};

async function runEmbed(context: SectionContext): Promise<SectionOutcome> {
  const found = await findDefaultTextModel(context.options);
  if ('missing' in found) return { status: 'skipped', notes: [found.missing], rows: [] };
  const published = found.model;
  const featurizer = createTextFeaturizer(published.input.featurizer);
  const texts = glossesAndLemmas(TEXT_POOL, TEXT_SEED);
  context.log(`model ${published.dir}; loading the contenders`);
  const engines = await openEmbedEngines(published, featurizer);
  try {
    const notes = [
      `Model: ${published.manifest.name}@${published.manifest.version}. Inputs: ${TEXT_POOL} WordNet glosses and ` +
        'lemmas (alternating), taken in order, so every contender gets the same texts in the same batches.',
      '"model only" runs an already featurized, padded batch; "featurisation" is the text -> (ids, weights) ' +
        'step alone; "end to end" is the edge embedder\'s embed(texts), which featurizes and sub-batches.',
      'Contenders run in rounds (each once per round, same batch), so the ratios are per round in one process.',
      ...engines.notes,
      await agreementNote(engines, featurizer.featurizeBatch(texts.slice(0, TARGET_BATCH))),
    ];
    const rows: Row[] = [];
    for (const size of BATCH_SIZES) {
      context.log(`batch ${size}`);
      rows.push(...(await batchRows(engines, featurizer, texts, size)));
    }
    context.log('int8 against fp32: MAP@R on the held-out test synsets');
    rows.push(...(await int8QualityRows(published, engines.edge)));
    return { status: 'ran', notes, rows };
  } finally {
    await engines.release();
  }
}

async function batchRows(
  engines: EmbedEngines,
  featurizer: TextFeaturizer,
  pool: readonly string[],
  size: (typeof BATCH_SIZES)[number],
): Promise<Row[]> {
  const rounds = ROUNDS[size];
  const textsOf = (round: number) => {
    const start = (round * size) % (pool.length - size + 1);
    return pool.slice(start, start + size);
  };
  const batches = Array.from({ length: rounds.warmup + rounds.repeats }, (_, round) =>
    featurizer.featurizeBatch(textsOf(round)),
  );

  const featurizeMs = await timeRounds(
    { featurize: (round) => featurizer.featurizeBatch(textsOf(round)) },
    rounds,
  );
  const modelMs = await timeRounds(
    Object.fromEntries(
      Object.entries(engines.models).map(([name, run]) => [name, (round: number) => run(batches[round])]),
    ),
    rounds,
  );
  const endToEndMs = await timeRounds(
    {
      [EDGE_FP32]: (round) => engines.edge.fp32.embed(textsOf(round)),
      [EDGE_INT8]: (round) => engines.edge.int8.embed(textsOf(round)),
    },
    rounds,
  );

  const group = (what: string) => `batch ${size}: ${what}`;
  const rows: Row[] = [];
  // Latencies first, then the same runs as throughput, in one table per step.
  const timings = (what: string, samples: Record<string, number[]>) => {
    const entries = Object.entries(samples);
    for (const [name, ms] of entries) rows.push(timingRow(group(what), name, ms));
    for (const [name, ms] of entries) rows.push(rateRow(group(what), name, ms, size, 'texts/s'));
  };
  timings('featurisation', { 'featurizer (shared/featurizer)': featurizeMs.featurize });
  timings('model only', modelMs);
  timings('end to end', endToEndMs);
  if (size === 1) {
    const served = rows.find((row) => row.group === group('end to end') && row.figure === EDGE_INT8);
    if (served) served.target = target(`<= ${MAX_SENTENCE_MS} ms`, served.median <= MAX_SENTENCE_MS);
  }

  const ratio = (a: string, b: string) => pairedRatios(modelMs[a], modelMs[b]);
  const comparisons = group('model only, latency ratios (below 1: the first is faster)');
  const edgeOverNative = ratioRow(
    comparisons,
    `${EDGE_INT8} / ${NATIVE_INT8}`,
    ratio(EDGE_INT8, NATIVE_INT8),
  );
  if (size === TARGET_BATCH) {
    edgeOverNative.target = target(
      `<= ${MAX_EDGE_OVER_NATIVE}x`,
      edgeOverNative.median <= MAX_EDGE_OVER_NATIVE,
    );
  }
  rows.push(
    edgeOverNative,
    ratioRow(comparisons, `${EDGE_FP32} / ${NATIVE_FP32}`, ratio(EDGE_FP32, NATIVE_FP32)),
    ratioRow(comparisons, `${EDGE_INT8} / ${EDGE_FP32}`, ratio(EDGE_INT8, EDGE_FP32)),
  );
  if (modelMs[TFJS]) rows.push(ratioRow(comparisons, `${TFJS} / ${EDGE_FP32}`, ratio(TFJS, EDGE_FP32)));
  return rows;
}

/** How far the contenders' outputs are from the edge fp32 embedder on one batch: the same function? */
async function agreementNote(engines: EmbedEngines, batch: FeatureBatch): Promise<string> {
  const reference = await engines.models[EDGE_FP32](batch);
  const parts: string[] = [];
  for (const [name, run] of Object.entries(engines.models)) {
    if (name === EDGE_FP32) continue;
    parts.push(`${name} ${maxAbsDifference(reference, await run(batch)).toExponential(1)}`);
  }
  return `Largest absolute difference from ${EDGE_FP32} on one batch of ${batch.batch}: ${parts.join('; ')}.`;
}
