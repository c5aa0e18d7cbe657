/**
 * Measures one training job in a process of its own (forked by measure.ts), so a backend whose step
 * takes minutes can be stopped, and no job inherits another's tensors, kernels or memory. Argument: a
 * MeasureRequest as JSON. Messages: `batch`, one `sample` per measured step, `profile` per profiled
 * step (when asked), then `done`, or `error`.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../trainer/backend/index.ts';
import { type CnnRequest, type MeasureMessage, MeasureRequestSchema, type StepRequest } from './messages.ts';
import { TRAIN_MODELS } from './models.ts';

const send = (message: MeasureMessage) => process.send?.(message);

async function runStep(request: StepRequest): Promise<void> {
  await initBackend(request.backend);
  const step = TRAIN_MODELS[request.model]();
  send({ kind: 'batch', batch: step.batch });
  for (let i = 0; i < request.warmup; i++) await step.run();
  let spentMs = 0;
  for (let i = 0; i < request.repeats; i++) {
    if (spentMs > request.budgetSeconds * 1000 && i >= request.minRuns) break;
    const start = performance.now();
    await step.run();
    const ms = performance.now() - start;
    spentMs += ms;
    send({ kind: 'sample', ms });
  }
  for (let i = 0; i < request.profileSteps; i++) {
    const profile = await tf.profile(() => step.run());
    const kernels = profile.kernels.flatMap((k) =>
      typeof k.kernelTimeMs === 'number' ? [{ name: k.name, ms: k.kernelTimeMs }] : [],
    );
    send({ kind: 'profile', kernels });
  }
  step.dispose();
}

async function runCnn(request: CnnRequest): Promise<void> {
  // Loaded only for this job: the step jobs need none of the image code.
  const { benchmarkCnnStep } = await import('./cnn-step.ts');
  const result = await benchmarkCnnStep({
    kernels: request.kernels,
    batchSize: request.batch,
    steps: request.steps,
    warmupSteps: request.warmupSteps,
    profileSteps: request.profileSteps,
  });
  send({ kind: 'batch', batch: result.batchSize });
  for (const ms of result.stepMs) send({ kind: 'sample', ms });
  for (const kernels of result.profiles) send({ kind: 'profile', kernels });
}

try {
  const request = MeasureRequestSchema.parse(JSON.parse(process.argv[2] ?? ''));
  await (request.job === 'step' ? runStep(request) : runCnn(request));
  send({ kind: 'done' });
} catch (error) {
  send({ kind: 'error', message: (error as Error).message.split('\n')[0] });
}
process.disconnect?.();
