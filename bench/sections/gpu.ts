import type { PendingTarget, Row } from '../results.ts';
import { rateRow, target, timingRow, valueRow } from '../rows.ts';
import type { RunnableSection, SectionContext, SectionOutcome } from '../section.ts';
import { summarize } from '../stats.ts';
import { type Measurement, measureInProcess } from '../train/measure.ts';
import type { MeasureRequest } from '../train/messages.ts';
import { webgpuAdapter } from '../train/webgpu-adapter.ts';
import { CNN_REQUEST, CNN_SECONDS, IDLE_SECONDS, stepRequest } from './train.ts';

/** The targets for a real GPU, webgpu over wasm on the same machine by median step time. */
const MODELS = [
  {
    name: `CNN (default image model, batch ${CNN_REQUEST.batch})`,
    unit: 'images/s',
    minSpeedup: 10,
    request: (backend: 'wasm' | 'webgpu'): MeasureRequest => ({
      ...CNN_REQUEST,
      kernels: backend === 'wasm' ? 'ours' : 'webgpu',
    }),
    idleSeconds: CNN_SECONDS,
  },
  {
    name: 'text encoder (default config, 256 pairs)',
    unit: 'pairs/s',
    minSpeedup: 3,
    request: (backend: 'wasm' | 'webgpu'): MeasureRequest =>
      stepRequest('text encoder (default config, 256 pairs)', backend, 0),
    idleSeconds: IDLE_SECONDS,
  },
] as const;

export const gpuSection: RunnableSection = {
  name: 'gpu',
  title: 'gpu: training on WebGPU against wasm on the same machine (npm run check:gpu)',
  run: runGpu,
};

async function runGpu(context: SectionContext): Promise<SectionOutcome> {
  const probe = await webgpuAdapter();
  const targetText = (model: (typeof MODELS)[number]) =>
    `on a real GPU, ${model.name} trains >= ${model.minSpeedup}x faster on webgpu than on wasm`;
  if ('missing' in probe) {
    return {
      status: 'skipped',
      notes: [probe.missing],
      rows: [],
      pendingTargets: MODELS.map((m) => ({ text: targetText(m), reason: 'no WebGPU adapter here' })),
    };
  }
  const { adapter } = probe;
  const notes = [
    probe.note,
    'Each model is timed by its own process per backend (warm-up steps first): the CNN by its step ' +
      'benchmark (bench/train/cnn-step.ts, wasm with our kernels), the text encoder by its real step.',
  ];
  const rows: Row[] = [];
  const pendingTargets: PendingTarget[] = [];
  for (const model of MODELS) {
    const measured: Partial<Record<'wasm' | 'webgpu', Measurement>> = {};
    for (const backend of ['wasm', 'webgpu'] as const) {
      context.log(`${model.name} on ${backend}`);
      const result = await measureInProcess(model.request(backend), model.idleSeconds);
      const figure = `${model.name} on ${backend}`;
      if (result.samples.length === 0 || result.batch === undefined) {
        notes.push(`${figure}: not measured: ${result.failure}`);
        continue;
      }
      rows.push(
        rateRow('training speed', figure, result.samples, result.batch, model.unit),
        timingRow('step time', figure, result.samples),
      );
      measured[backend] = result;
    }
    const { wasm, webgpu } = measured;
    if (!wasm || !webgpu) {
      pendingTargets.push({ text: targetText(model), reason: 'a measurement failed (see the notes)' });
      continue;
    }
    const speedup = summarize(wasm.samples).median / summarize(webgpu.samples).median;
    const figure = `${model.name}: webgpu over wasm`;
    const group = 'webgpu over wasm (ratio of median step times)';
    if (adapter.software) {
      rows.push(valueRow(group, `${figure} (software adapter)`, speedup, 'x'));
      pendingTargets.push({
        text: targetText(model),
        reason: 'only a software adapter (CPU stand-in) here: real-GPU figures are not measured yet',
      });
    } else {
      const met = speedup >= model.minSpeedup;
      rows.push(valueRow(group, figure, speedup, 'x', { target: target(`>= ${model.minSpeedup}x`, met) }));
    }
  }
  return { status: 'ran', notes, rows, pendingTargets };
}
