import { initBackend } from '../../trainer/backend/index.ts';
import { benchmarkLosses } from '../loss/time-losses.ts';
import type { RunnableSection, SectionContext, SectionOutcome } from '../section.ts';

const BATCH = 256;
const DIM = 128;
const REPEATS = 5;

export const lossSection: RunnableSection = {
  name: 'loss',
  title: 'loss: forward and backward time of every metric-learning loss',
  run: runLoss,
};

/** The metric library's own benchmark (bench/loss/time-losses.ts) on the wasm backend. */
async function runLoss(context: SectionContext): Promise<SectionOutcome> {
  const backend = await initBackend('wasm');
  context.log(`every loss, batch ${BATCH} x ${DIM}, on ${backend.name}`);
  const timings = await benchmarkLosses({ batch: BATCH, dim: DIM, repeats: REPEATS });
  const group = `forward + backward, batch ${BATCH} x ${DIM}, ${backend.name}`;
  return {
    status: 'ran',
    notes: [
      `benchmarkLosses from bench/loss/time-losses.ts: each loss with its defaults (PML 2.x), gradients for the ` +
        `embeddings and the loss's own parameters, ${REPEATS} runs after 2 warm-up runs; 32 classes per batch.`,
    ],
    rows: timings.map((t) => ({
      group,
      figure: t.name,
      unit: 'ms',
      median: t.medianMs,
      min: t.minMs,
      max: t.maxMs,
      runs: REPEATS,
    })),
  };
}
