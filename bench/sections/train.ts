import type { PendingTarget, Row } from '../results.ts';
import { rateRow, target, timingRow, valueRow } from '../rows.ts';
import type { RunnableSection, SectionContext, SectionOutcome } from '../section.ts';
import { MIN_RUNS, summarize } from '../stats.ts';
import { kernelShareRows } from '../train/kernel-share.ts';
import { type Measurement, measureInProcess } from '../train/measure.ts';
import type { CnnRequest, StepRequest } from '../train/messages.ts';
import { TRAIN_MODELS, type TrainModel } from '../train/models.ts';
import { type PeerModel, torchPeerRows } from '../train/torch-peer-rows.ts';
import { webgpuAdapter } from '../train/webgpu-adapter.ts';

/**
 * tfjs-node (native) where the optional dependency installed, webgpu where Dawn finds an adapter (the
 * CPU stand-in counts: the notes say which); wasm and cpu everywhere.
 */
const BACKENDS: StepRequest['backend'][] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
const WARMUP = 1;
const REPEATS = 8;
/** A backend that takes tens of seconds per step gets MIN_RUNS steps, not REPEATS. */
const BUDGET_SECONDS = 15;
/** A step running longer than this is stopped: the backend is reported as too slow for the model. */
export const IDLE_SECONDS = 45;
/** Steps profiled after the timed ones on wasm, our training path: where its time goes. */
const PROFILED_STEPS = 2;
/** The CNN benchmark reports when all its steps are done, so its time limit covers them all. */
export const CNN_REQUEST: Omit<CnnRequest, 'kernels'> = {
  job: 'cnn',
  batch: 128,
  steps: 5,
  warmupSteps: 3,
  profileSteps: 0,
};
export const CNN_SECONDS = 300;
const MIN_CNN_SPEEDUP = 4;
/** The peer's steps take milliseconds: more of them, for a steadier median. */
const PEER_WARMUP = 3;
const PEER_REPEATS = 20;

export const trainSection: RunnableSection = {
  name: 'train',
  title: 'train: samples per second per model and backend',
  run: runTrain,
};

interface Measured {
  model: TrainModel;
  backend: StepRequest['backend'];
  batch: number;
  samplesMs: number[];
  medianStepMs: number;
}

/** The models the PyTorch peer runs, by the names our measurements use. */
const PEER_MODELS: Record<Exclude<PeerModel, 'cnn'>, TrainModel> = {
  mlp: 'MLP 784-256-64 (batch 128)',
  text: 'text encoder (default config, 256 pairs)',
};

async function runTrain(context: SectionContext): Promise<SectionOutcome> {
  const notes = [
    `Every measurement runs in a process of its own: ${WARMUP} warm-up step, then up to ${REPEATS} steps ` +
      `(fewer once ${BUDGET_SECONDS} s were spent, at least ${MIN_RUNS}); a step still running after ` +
      `${IDLE_SECONDS} s is stopped. The text encoder runs its real step (trainer/tasks/text/model/text-pair-step.ts) on ` +
      "WordNet pairs; the MLP trains with PML's TripletMarginLoss defaults and Adam on a seeded random batch " +
      '(32 classes).',
    `The CNN is the default image model, timed by its own benchmark (bench/train/cnn-step.ts: batch ` +
      `${CNN_REQUEST.batch}, ${CNN_REQUEST.steps} steps after ${CNN_REQUEST.warmupSteps} warm-up steps, multi-similarity loss) on wasm, with our kernels and ` +
      'with the kernels we started from (tfjs-backend-wasm 4.22 plus the prototype filter gradient). ' +
      'The CNN and the text encoder on webgpu against wasm are the gpu section (npm run check:gpu).',
    `Kernel shares: each model on wasm (our training path) runs ${PROFILED_STEPS} more steps under tf.profile ` +
      "in its timing process; each kernel's time is shown as a share of the unprofiled median step.",
  ];
  const adapter = await webgpuAdapter();
  notes.push('missing' in adapter ? adapter.missing : adapter.note);
  const rows: Row[] = [];
  const shares: Row[] = [];
  const measured: Measured[] = [];
  for (const backend of BACKENDS) {
    for (const model of Object.keys(TRAIN_MODELS) as TrainModel[]) {
      context.log(`${model} on ${backend}`);
      const figure = `${model} on ${backend}`;
      const profileSteps = backend === 'wasm' ? PROFILED_STEPS : 0;
      const result = await measureInProcess(stepRequest(model, backend, profileSteps), IDLE_SECONDS);
      if (result.samples.length === 0 || result.batch === undefined) {
        notes.push(`${figure}: not measured: ${result.failure}`);
        // An unavailable backend fails the same way for every model.
        if (result.failure?.startsWith('no TensorFlow.js backend')) break;
        continue;
      }
      if (result.failure) notes.push(`${figure}: stopped early: ${result.failure}`);
      rows.push(...speedRows(figure, result.samples, result.batch));
      const medianStepMs = summarize(result.samples).median;
      measured.push({ model, backend, batch: result.batch, samplesMs: result.samples, medianStepMs });
      shares.push(...shareRows(figure, result, medianStepMs));
    }
  }
  rows.push(...backendRatioRows(measured));
  const cnn = await cnnRows(context, notes);
  rows.push(...cnn.rows);
  shares.push(...cnn.shares);
  context.log('PyTorch peer (one thread)');
  const peer = await torchPeerRows(
    {
      mlp: ourWasm(measured, PEER_MODELS.mlp),
      text: ourWasm(measured, PEER_MODELS.text),
      cnn: cnn.oursSamples && { batch: CNN_REQUEST.batch, samplesMs: cnn.oursSamples },
    },
    { warmup: PEER_WARMUP, repeats: PEER_REPEATS, budgetSeconds: BUDGET_SECONDS, minRuns: MIN_RUNS },
    remeasureOurs,
  );
  rows.push(...peer.rows);
  notes.push(...peer.notes);

  rows.push(...shares);
  return { status: 'ran', notes, rows, pendingTargets: [...cnn.pendingTargets, ...peer.pendingTargets] };
}

function ourWasm(measured: readonly Measured[], model: TrainModel) {
  return measured.find((m) => m.model === model && m.backend === 'wasm');
}

/** Our wasm step of a peer model, timed again in a fresh process (the peer's turns alternate with ours). */
async function remeasureOurs(model: PeerModel): Promise<number[] | undefined> {
  const result =
    model === 'cnn'
      ? await measureInProcess({ ...CNN_REQUEST, kernels: 'ours', profileSteps: 0 }, CNN_SECONDS)
      : await measureInProcess(stepRequest(PEER_MODELS[model], 'wasm', 0), IDLE_SECONDS);
  return result.failure || result.samples.length === 0 ? undefined : result.samples;
}

/** A timing request; with profileSteps > 0, that many steps run under tf.profile after the timed ones. */
export function stepRequest(
  model: TrainModel,
  backend: StepRequest['backend'],
  profileSteps: number,
): StepRequest {
  return {
    job: 'step',
    model,
    backend,
    warmup: WARMUP,
    repeats: REPEATS,
    budgetSeconds: BUDGET_SECONDS,
    minRuns: MIN_RUNS,
    profileSteps,
  };
}

/** Where a profiled measurement's step time went, kernel by kernel (none when it was not profiled). */
function shareRows(figure: string, result: Measurement, medianStepMs: number): Row[] {
  if (result.profiles.length === 0) return [];
  return kernelShareRows(`share of step time per kernel: ${figure}`, result.profiles, medianStepMs);
}

function speedRows(figure: string, samples: number[], batch: number): Row[] {
  return [
    rateRow('samples per second', figure, samples, batch, 'samples/s'),
    timingRow('step time', figure, samples),
  ];
}

/** The CNN with our wasm kernels and with the ones we started from, and the target on their ratio. */
async function cnnRows(
  context: SectionContext,
  notes: string[],
): Promise<{ rows: Row[]; shares: Row[]; pendingTargets: PendingTarget[]; oursSamples?: number[] }> {
  const results: Partial<Record<CnnRequest['kernels'], Measurement>> = {};
  const rows: Row[] = [];
  const shares: Row[] = [];
  // Ours last: the PyTorch peer's first turn follows it.
  for (const kernels of ['baseline', 'ours'] as const) {
    context.log(`CNN on wasm, ${kernels} kernels`);
    const profileSteps = kernels === 'ours' ? PROFILED_STEPS : 0;
    const result = await measureInProcess({ ...CNN_REQUEST, kernels, profileSteps }, CNN_SECONDS);
    const figure = `CNN (default image model, batch ${CNN_REQUEST.batch}) on wasm, ${kernels} kernels`;
    if (result.failure || result.batch === undefined) {
      notes.push(`${figure}: not measured: ${result.failure}`);
      continue;
    }
    rows.push(...speedRows(figure, result.samples, result.batch));
    results[kernels] = result;
    if (kernels === 'ours') shares.push(...shareRows(figure, result, summarize(result.samples).median));
  }
  const { ours, baseline } = results;
  const targetText = `the CNN trains >= ${MIN_CNN_SPEEDUP}x faster on our wasm kernels than on the ones we started from`;
  if (!ours || !baseline) {
    return {
      rows,
      shares,
      pendingTargets: [{ text: targetText, reason: 'a CNN measurement failed (see the notes)' }],
      ...(ours ? { oursSamples: ours.samples } : {}),
    };
  }
  const speedup = summarize(baseline.samples).median / summarize(ours.samples).median;
  rows.push(
    valueRow(
      'CNN on wasm: our kernels over the ones we started from',
      'ratio of median step times',
      speedup,
      'x',
      {
        target: target(`>= ${MIN_CNN_SPEEDUP}x`, speedup >= MIN_CNN_SPEEDUP),
      },
    ),
  );
  return { rows, shares, pendingTargets: [], oursSamples: ours.samples };
}

/** Each model's speed on every other backend against cpu (pure JavaScript), by median step time. */
function backendRatioRows(measured: readonly Measured[]): Row[] {
  const rows: Row[] = [];
  for (const entry of measured) {
    const cpu = measured.find((m) => m.model === entry.model && m.backend === 'cpu');
    if (!cpu || entry.backend === 'cpu') continue;
    const group = 'speed over the cpu backend (ratio of median step times)';
    rows.push(
      valueRow(group, `${entry.model} on ${entry.backend}`, cpu.medianStepMs / entry.medianStepMs, 'x'),
    );
  }
  return rows;
}
